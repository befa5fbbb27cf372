"""Flask extensions, created unbound and attached in create_app()."""

from flask_bootstrap import Bootstrap5
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.models.base import Base

db = SQLAlchemy(metadata=Base.metadata)  # models derive from Base (see app/models/base.py)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
bootstrap = Bootstrap5()
cache = Cache()  # rendered page parts (app.page_cache); in-process unless CACHE_TYPE says otherwise
