"""Rules for users: until login exists, one local user owns everything."""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from finance.users.models import User
from finance.users.repository import UserRepository


async def ensure_user(*, db: AsyncSession, email: str, display_name: str = "") -> User:
    """The user with this email, created (and committed) if it does not exist yet."""
    users = UserRepository(db)
    existing = await users.get_by_email(email)
    if existing is not None:
        return existing
    try:
        user = await users.add(User(email=email, display_name=display_name))
        await db.commit()
    except IntegrityError:  # another request created it first
        await db.rollback()
        found = await users.get_by_email(email)
        if found is None:
            raise
        return found
    return user
