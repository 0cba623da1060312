"""The named queries of :class:`storage.repository.Store`, one module per aggregate.

Each module holds a mixin of queries on the store's private connection and ORM session
(:class:`~storage.queries.base.StoreBase`); ``Store`` composes them. Nothing outside
``storage`` gets a session, a connection or an SQL condition: it asks a query by name.
"""
