"""The phone columns of every generated form and API (staff, departments, centers, matters, …):
checked and stored in one written form by services/phone.py, with the accepted forms as the hint."""

import sqlalchemy as sa
from wtforms.validators import ValidationError

from app.services.phone import PHONE_ERROR, PHONE_HINT, InvalidPhone, checked_phone, normalize_phone


def is_phone(name: str) -> bool:
    return name == "phone" or name.endswith("_phone")


def phone_columns(datamodel) -> list[str]:
    return [name for name in datamodel.get_columns_list() if is_phone(name)]


def check_phone_field(form, field):
    """WTForms: the error under the field itself, before the row is touched."""
    if (field.data or "").strip() and normalize_phone(field.data) is None:
        raise ValidationError(str(PHONE_ERROR))


def with_phone_checks(view, datamodel):
    """The view's validators_columns and description_columns with every phone column's check and hint."""
    phones = phone_columns(datamodel)
    validators = dict(view.validators_columns or {})
    for name in phones:
        validators[name] = [*validators.get(name, []), check_phone_field]
    return validators, {**dict.fromkeys(phones, PHONE_HINT), **(view.description_columns or {})}


def normalize_phones(item) -> list[str]:
    """Rewrite the row's phones in their written form; the messages of those that are not phones."""
    errors = []
    for column in sa.inspect(type(item)).columns:
        value = getattr(item, column.key, None)
        if is_phone(column.key) and value:
            try:
                setattr(item, column.key, checked_phone(value))
            except InvalidPhone as exc:
                errors.append(str(exc))
    return errors
