"""The `CurrentUser` dependency: who owns the data a request touches."""

from typing import Annotated

from fastapi import Depends, Request

from finance.db import SessionDep
from finance.users.models import User
from finance.users.service import ensure_user


async def get_current_user(request: Request, db: SessionDep) -> User:
    """The single local user, created on first use; login replaces this in a later issue."""
    return await ensure_user(db=db, email=request.app.state.settings.local_user_email)


CurrentUser = Annotated[User, Depends(get_current_user)]
