"""Chinese for the messages FAB's REST layer writes itself.

FAB answers schema errors with marshmallow's English field messages ("Missing data for
required field.") and its own 400/404 bodies in English ("Not a valid rison argument",
"Not found"); neither has a translation catalogue. Known messages are translated, field
names kept; any other text without Chinese, under the Chinese interface, becomes the generic
message of its status, so no English internals reach a client.
"""

import re

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.views.errors import MESSAGES

EXACT = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field may not be empty."),
    "Unknown field.": _l("This field is not known."),
    "Not a valid integer.": _l("Not a valid integer."),
    "Not a valid number.": _l("Not a valid number."),
    "Not a valid string.": _l("Not a valid text."),
    "Not a valid boolean.": _l("Not a valid yes/no value."),
    "Not a valid date.": _l("Not a valid date."),
    "Not a valid datetime.": _l("Not a valid date and time."),
    "Not a valid time.": _l("Not a valid time."),
    "Not a valid list.": _l("Not a valid list."),
    "Not a valid mapping type.": _l("Not a valid object."),
    "Invalid input type.": _l("The value has the wrong type."),
    "Invalid value.": _l("The value is not valid."),
    "Not a valid rison argument": _l("The query argument q is not valid."),
    "Not a valid rison/json argument": _l("The query argument q is not valid."),
    "Request is not JSON": _l("The request body must be JSON."),
}
LONGER = re.compile(r"^Longer than maximum length (\d+)\.$")
ONE_OF = re.compile(r"^Must be one of: (.*)\.$")


def chinese(message, status: int):
    """`message` (a string, or marshmallow's dict/list of them) with every text in Chinese."""
    if isinstance(message, dict):
        return {key: chinese(value, status) for key, value in message.items()}
    if isinstance(message, list | tuple):
        return [chinese(value, status) for value in message]
    text = str(message)
    if text in EXACT:
        return str(EXACT[text])
    if match := LONGER.match(text):
        return str(_l("At most %(count)s characters.")) % {"count": match.group(1)}
    if match := ONE_OF.match(text):
        return str(_l("Must be one of: %(values)s.")) % {"values": match.group(1)}
    # The app's own messages are already in the interface's language.
    if get_locale().language != "zh" or re.search(r"[\u4e00-\u9fff]", text):
        return text
    return str(MESSAGES.get(status, MESSAGES[400]))
