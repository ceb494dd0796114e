"""Admin pages: schools, platform roles, the calendar, activation codes and staff.

Each area lives in its own module and adds its routes to ``bp``. Importing the
modules here registers those routes.
"""

from app.blueprints.admin.base import bp  # noqa: F401
from app.blueprints.admin import roles, staff  # noqa: F401
from app.blueprints.admin import codes, mail_domains, schools  # noqa: F401
from app.blueprints.admin import reasons  # noqa: F401
from app.blueprints.admin import calendar  # noqa: F401
