"""Date and date-time fields of the generated forms: the browser's own date inputs, and a value
that either parses or is refused with a Chinese message.

FAB's fields come with a bootstrap date picker that rewrote a typed `2026-12-11 17:30:00` to a
date of its own choosing, and with wtforms' English "Not a valid datetime value.".
"""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DateTimeField
from wtforms.widgets import DateInput, DateTimeLocalInput, TimeInput

DATE_MESSAGE = _l("Enter the date as year-month-day, for example 2026-12-11.")
TIME_MESSAGE = _l("Enter the time as hour:minute, for example 17:30.")
DATETIME_MESSAGE = _l("Enter the date and time as year-month-day hour:minute, for example 2026-12-11 17:30.")

DATE_FORMATS = ("%Y-%m-%d",)
# The browser's datetime-local input sends "2026-12-11T17:30"; typed or API-style text has a space.
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


class GovDateField(DateField):
    widget = DateInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=list(DATE_FORMATS), **kwargs)
        self.render_kw = {"class": "form-control", **(self.render_kw or {})}

    def process_formdata(self, valuelist):
        try:
            super().process_formdata([(valuelist[0] or "").strip()] if valuelist else valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(DATE_MESSAGE)) from None


class GovDateTimeField(DateTimeField):
    widget = DateTimeLocalInput()
    formats = DATETIME_FORMATS
    message = DATETIME_MESSAGE
    shown_as = "%Y-%m-%dT%H:%M"
    extra_kw = {"step": "60"}

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=list(self.formats), **kwargs)
        self.render_kw = {"class": "form-control", **self.extra_kw, **(self.render_kw or {})}

    def process_formdata(self, valuelist):
        try:
            super().process_formdata([(valuelist[0] or "").strip()] if valuelist else valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(self.message)) from None

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime(self.shown_as) if self.data else ""


class GovTimeField(GovDateTimeField):
    """A clock time (HH:MM) from the browser's time input, refused in Chinese otherwise."""

    widget = TimeInput()
    formats = ("%H:%M", "%H:%M:%S")
    message = TIME_MESSAGE
    shown_as = "%H:%M"
    extra_kw = {}

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = self.data.time()
