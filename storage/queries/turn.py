"""The statements of every turn, built once per dialect."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import bindparam, delete, select

from storage.queries.tables import (
    CONVERSATION_KEPT,
    CONVERSATIONS,
    COUNTERS,
    PEOPLE,
    PERSON_KEPT,
    PROCESSED,
    STARTS,
    upsert_insert,
)


class TurnStatements:
    """The statements of every turn, built once per dialect with named parameters.

    People and chats are found by keyed hash: ``hashes`` / ``chat_hashes`` is the list of
    :meth:`storage.crypto.Cipher.lookups` (an expanding IN, so the statement stays built)."""

    _built: ClassVar[dict[str, TurnStatements]] = {}

    def __init__(self, dialect: str) -> None:
        insert_ = upsert_insert(dialect)
        conv = CONVERSATIONS.c
        this_chat = (
            conv.platform == bindparam("platform"),
            conv.chat_hash.in_(bindparam("chat_hashes", expanding=True)),
        )
        self.load_conversation = (
            select(conv.chat_hash, conv.flow, conv.state, conv.created_at, conv.updated_at)
            .where(*this_chat)
            .with_for_update()
        )
        upsert = insert_(CONVERSATIONS).values(
            platform=bindparam("platform"),
            chat_hash=bindparam("chat_hash"),
            chat_id=bindparam("chat_id", type_=conv.chat_id.type),
            flow=bindparam("flow"),
            state=bindparam("state", type_=conv.state.type),
            created_at=bindparam("now", type_=conv.created_at.type),
            updated_at=bindparam("now", type_=conv.updated_at.type),
        )
        self.save_conversation = upsert.on_conflict_do_update(
            index_elements=[conv.platform, conv.chat_hash],
            set_={key: upsert.excluded[key] for key in CONVERSATION_KEPT},
        )
        self.delete_conversation = delete(CONVERSATIONS).where(*this_chat)
        self.person = select(PEOPLE).where(
            PEOPLE.c.address_hash.in_(bindparam("hashes", expanding=True))
        )
        keep = insert_(PEOPLE).values(
            {c.key: bindparam(c.key, type_=c.type) for c in PEOPLE.columns}
        )
        self.keep_person = keep.on_conflict_do_update(
            index_elements=[PEOPLE.c.address_hash],
            set_={key: keep.excluded[key] for key in PERSON_KEPT},
        )
        counter = COUNTERS.c
        # the year's next number in one statement: the year's row made (number 1) or moved on
        count = insert_(COUNTERS).values(year=bindparam("the_year"), last_number=1)
        self.next_number = count.on_conflict_do_update(
            index_elements=[counter.year], set_={"last_number": counter.last_number + 1}
        ).returning(counter.last_number)
        self.claim_update = (
            insert_(PROCESSED)
            .values(key=bindparam("key"), at=bindparam("at", type_=PROCESSED.c.at.type))
            .on_conflict_do_nothing()
            .returning(PROCESSED.c.key)
        )
        started = STARTS.c
        hour = bindparam("hour", type_=started.hour.type)
        count = insert_(STARTS).values(person=bindparam("person"), hour=hour, starts=1)
        self.count_start = count.on_conflict_do_update(
            index_elements=[started.hour, started.person],
            set_={"starts": started.starts + 1},
            where=started.starts < bindparam("allowed"),
        ).returning(started.starts)
        self.starts_since = select(started.hour, started.starts).where(
            started.person == bindparam("person"),
            started.hour >= bindparam("since", type_=started.hour.type),
        )
        self.forget_starts = delete(STARTS).where(
            started.hour < bindparam("before", type_=started.hour.type)
        )

    @classmethod
    def for_dialect(cls, dialect: str) -> TurnStatements:
        if dialect not in cls._built:
            cls._built[dialect] = cls(dialect)
        return cls._built[dialect]
