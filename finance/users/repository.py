"""Queries on users. Never commits."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from finance.users.models import User


class UserRepository:
    """Users by email."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_email(self, email: str) -> User | None:
        """The user with this email, if any."""
        return await self.session.scalar(select(User).where(User.email == email))

    async def add(self, user: User) -> User:
        """Stage a new user and give it an id."""
        self.session.add(user)
        await self.session.flush()
        return user
