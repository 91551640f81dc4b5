"""Database access: engine and sessions built from config, never at import."""

from .database import Database
from .models import Base, PriceListVersion, User

__all__ = ["Base", "Database", "PriceListVersion", "User"]
