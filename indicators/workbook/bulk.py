"""Writing many figures at once in plain SQL, each with its history row (DOMAIN §8 import).

An import of 100,000 figures through the ORM spends most of its time building model instances
and preparing each field (bulk_create_with_history: about 2,000 rows/s here). These functions
write the same rows with one prepared statement (COPY on PostgreSQL) and then record the history
with INSERT … SELECT from the rows just written, so the history is exactly what the table now
holds: who, when, why ("工作簿导入"), "+" for a new figure and "~" for a changed one, as
django-simple-history writes it for a single save.
"""

import decimal
import json

from django.db import connection

from ..models import Figure

INSERTED = [
    "indicator_id",
    "area_id",
    "year",
    "month",
    "value",
    "note",
    "created_by_id",
    "updated_by_id",
    "created_at",
    "updated_at",
    "status",
    "version",
    "submitted_by_id",
    "submitted_at",
    "approved_by_id",
    "approved_at",
    "review_comment",
    "is_late",
]
STORED = ["id", "indicator_id", "area_id", "year", "month", "value", "note", "status"]


def stored_figures(ind_ids, area_ids, years=None) -> dict:
    """{(indicator_id, area_id, year, month): (id, value, note, status)} of the stored figures
    of those indicators and areas (and years): what an import compares its rows with.

    The ORM's query, read without building a row through the converters: on SQLite the value
    is turned into a Decimal exactly as Django's DecimalField converter does (15 significant
    digits, then the field's places); PostgreSQL's numeric arrives as a Decimal already."""
    if not ind_ids or not area_ids:
        return {}
    query = Figure.objects.filter(indicator_id__in=ind_ids, area_id__in=area_ids)
    if years is not None:
        if not years:
            return {}
        query = query.filter(year__in=years)
    sql, params = query.order_by().values_list(*STORED).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        field = Figure._meta.get_field("value")
        places = decimal.Decimal(1).scaleb(-field.decimal_places)
        exact, context = decimal.Context(prec=15).create_decimal_from_float, field.context
        return {
            (ind, area, year, month): (
                pk,
                None if value is None else exact(value).quantize(places, context=context),
                note,
                status,
            )
            for pk, ind, area, year, month, value, note, status in rows
        }
    return {
        (ind, area, year, month): (pk, value, note, status)
        for pk, ind, area, year, month, value, note, status in rows
    }


CHUNK = 900  # ids per statement: SQLite's default limit is 999 parameters


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _columns(names) -> str:
    return ", ".join(_q(c) for c in names)


def figures_insert(rows: list[tuple], *, user, now, reason: str) -> list[int]:
    """Insert approved figures given as (indicator_id, area_id, year, month, value, note);
    returns their ids, in the same order. Created and approved by `user`, version 1."""
    if not rows:
        return []
    table = Figure._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(now)
    user_id = user.pk if user is not None else None
    constant = (user_id, user_id, stamp, stamp, Figure.Status.APPROVED, 1, None, None)
    constant += (user_id, stamp, "", False)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {_q(table)}")
        after = cursor.fetchone()[0] or 0
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {_q(table)} ({_columns(INSERTED)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *constant))
        elif connection.vendor == "sqlite":
            # One statement over a JSON array: SQLite parses it in C, where binding 18
            # parameters per row from Python costs three times as much.
            picked = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(6))
            cursor.execute(
                f"INSERT INTO {_q(table)} ({_columns(INSERTED)})"
                f" SELECT {picked}, {', '.join(['%s'] * len(constant))} FROM json_each(%s)",
                [*constant, json.dumps([(*r[:4], str(r[4]), r[5]) for r in rows])],
            )
        else:
            marks = ", ".join(["%s"] * len(INSERTED))
            cursor.executemany(
                f"INSERT INTO {_q(table)} ({_columns(INSERTED)}) VALUES ({marks})",
                [(*row, *constant) for row in rows],
            )
    ids = _ids([r[:4] for r in rows], after, stamp)
    history_record(ids, history_type="+", user=user, now=now, reason=reason)
    return ids


def _ids(keys: list[tuple], after: int, stamp) -> list[int]:
    """The ids of the figures just inserted, by (indicator_id, area_id, year, month).

    They are the rows above the largest id before the insert that carry this import's time
    stamp; the key (unique) picks ours even if another import ran at the same microsecond.
    """
    wanted = set(keys)
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, indicator_id, area_id, {_q('year')}, {_q('month')}"
            f" FROM {_q(Figure._meta.db_table)} WHERE id > %s AND created_at = %s",
            [after, stamp],
        )
        for pk, *key in cursor.fetchall():
            key = tuple(key)
            if key in wanted:
                found[key] = pk
    return [found[k] for k in keys]


def figures_update(rows: list[tuple], *, user, now, reason: str) -> None:
    """Rewrite changed figures: rows of (id, value, note); each becomes approved by `user`,
    one version higher, with a "~" history row."""
    if not rows:
        return
    table = Figure._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(now)
    user_id = user.pk if user is not None else None
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {_q(table)} SET value = %s, note = %s, updated_by_id = %s,"
            " updated_at = %s, status = %s, approved_by_id = %s, approved_at = %s,"
            " version = version + 1 WHERE id = %s",
            [
                (value, note, user_id, stamp, Figure.Status.APPROVED, user_id, stamp, pk)
                for pk, value, note in rows
            ],
        )
    history_record([r[0] for r in rows], history_type="~", user=user, now=now, reason=reason)


def history_record(ids: list[int], *, history_type: str, user, now, reason: str) -> None:
    """One history row per figure id, copied from the figure as stored now."""
    if not ids:
        return
    history = Figure.history.model
    copied = [f.column for f in Figure._meta.concrete_fields]
    stamp = connection.ops.adapt_datetimefield_value(now)
    user_id = user.pk if user is not None else None
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    sql = (
        f"INSERT INTO {_q(history._meta.db_table)} ({_columns(copied + extra)})"
        f" SELECT {_columns(copied)}, %s, %s, %s, %s FROM {_q(Figure._meta.db_table)}"
        " WHERE id {where}"
    )
    head = [stamp, reason, history_type, user_id]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql.format(where="= ANY(%s)"), [*head, list(ids)])
        elif connection.vendor == "sqlite":
            where = "IN (SELECT value FROM json_each(%s))"
            cursor.execute(sql.format(where=where), [*head, json.dumps(ids)])
        else:
            for i in range(0, len(ids), CHUNK):
                chunk = ids[i : i + CHUNK]
                where = f"IN ({', '.join(['%s'] * len(chunk))})"
                cursor.execute(sql.format(where=where), [*head, *chunk])
