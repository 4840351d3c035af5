"""Index types the models declare beyond Django's own."""

from django.db import models


class CoveringIndex(models.Index):
    """An index that carries `covering` columns in its leaves (INCLUDE) where the database
    can (PostgreSQL), and is a plain index elsewhere (SQLite), so one declaration serves both:
    a read that needs only those columns is answered from the index alone."""

    def __init__(self, *args, covering=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.covering = tuple(covering)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        return path, args, {**kwargs, "covering": self.covering}

    def create_sql(self, model, schema_editor, using="", **kwargs):
        include = (
            self.covering if schema_editor.connection.features.supports_covering_indexes else ()
        )
        index = models.Index(fields=self.fields, name=self.name, include=include)
        return index.create_sql(model, schema_editor, using=using, **kwargs)
