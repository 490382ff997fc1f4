"""Queries on users. Never commits."""

from collections.abc import Sequence

from sqlalchemy import exists, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from finance.db import on_postgresql
from finance.users.models import User


class UserRepository:
    """Users by id and email."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> User | None:
        """The user with this id, if any."""
        return await self.session.get(User, user_id)

    async def get_by_email(self, email: str) -> User | None:
        """The user with this (normalised) email, if any."""
        return await self.session.scalar(select(User).where(User.email == email))

    async def lock_table(self) -> None:
        """Hold off other new users until this transaction ends (two people racing to be the
        first user must not both succeed)."""
        if on_postgresql(self.session):
            await self.session.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))

    async def any_exist(self) -> bool:
        """Whether there is at least one user."""
        return bool(await self.session.scalar(select(exists().select_from(User))))

    async def list(self) -> Sequence[User]:
        """Every user, oldest first."""
        return (await self.session.scalars(select(User).order_by(User.id))).all()

    async def add(self, user: User) -> User:
        """Stage a new user and give it an id."""
        self.session.add(user)
        await self.session.flush()
        return user
