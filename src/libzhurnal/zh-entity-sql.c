/* zh-entity-sql.c: entity structs to SQLite rows and back, driven by the field tables. */
#define G_LOG_DOMAIN "zh-store"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "zh-entity-sql.h"
#include "zh-model-private.h"

/* An identifier as SQL text: quoted only where SQLite would read it as a keyword ("group"). */
static void
append_identifier (GString    *sql,
                   const char *name)
{
  if (sqlite3_keyword_check (name, (int) strlen (name)))
    g_string_append_printf (sql, "\"%s\"", name);
  else
    g_string_append (sql, name);
}

static void
append_columns (GString            *sql,
                const ZhEntityInfo *info)
{
  for (guint i = 0; i < info->n_fields; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      append_identifier (sql, info->fields[i].name);
    }
}

/* zh_entity_sql_select: (transfer full): "SELECT id, …, rev FROM table": every column of @info's
 * table in field order, ready for a WHERE or ORDER BY to be appended; zh_entity_from_stmt reads
 * its rows from column 0. */
char *
zh_entity_sql_select (const ZhEntityInfo *info)
{
  GString *sql;

  g_return_val_if_fail (info != NULL, NULL);

  sql = g_string_new ("SELECT ");
  append_columns (sql, info);
  g_string_append (sql, " FROM ");
  append_identifier (sql, info->table);
  return g_string_free (sql, FALSE);
}

static char *
build_upsert (const ZhEntityInfo *info)
{
  GString *sql = g_string_new ("INSERT INTO ");

  append_identifier (sql, info->table);
  g_string_append (sql, " (");
  append_columns (sql, info);
  g_string_append (sql, ") VALUES (");
  for (guint i = 0; i < info->n_fields; i++)
    g_string_append_printf (sql, i > 0 ? ", ?%u" : "?%u", i + 1);
  g_string_append (sql, ") ON CONFLICT (id) DO UPDATE SET ");
  for (guint i = 0, n = 0; i < info->n_fields; i++)
    {
      if (g_str_equal (info->fields[i].name, "id"))
        continue;
      if (n++ > 0)
        g_string_append (sql, ", ");
      append_identifier (sql, info->fields[i].name);
      g_string_append (sql, " = excluded.");
      append_identifier (sql, info->fields[i].name);
    }
  return g_string_free (sql, FALSE);
}

typedef struct
{
  char *get;      /* SELECT … FROM table WHERE id = ?1 */
  char *upsert;   /* INSERT … ON CONFLICT (id) DO UPDATE SET … */
  char *delete;   /* DELETE FROM table WHERE id = ?1 */
} EntitySql;

/* The statements of @info, built once for all entities of zh_entities[] (any thread may ask
 * first) and kept for the life of the process; zh_store_prepare caches their compiled form per
 * store, keyed by this text. */
static const EntitySql *
entity_sql (const ZhEntityInfo *info)
{
  static EntitySql *table = NULL;

  if (g_once_init_enter (&table))
    {
      guint n = 0;
      EntitySql *built;

      while (zh_entities[n] != NULL)
        n++;
      built = g_new0 (EntitySql, n);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *select = zh_entity_sql_select (zh_entities[i]);
          g_autoptr(GString) delete = g_string_new ("DELETE FROM ");

          append_identifier (delete, zh_entities[i]->table);
          g_string_append (delete, " WHERE id = ?1");
          built[i].get = g_strconcat (select, " WHERE id = ?1", NULL);
          built[i].upsert = build_upsert (zh_entities[i]);
          built[i].delete = g_string_free (g_steal_pointer (&delete), FALSE);
        }
      g_once_init_leave (&table, built);
    }

  for (guint i = 0; zh_entities[i] != NULL; i++)
    if (zh_entities[i] == info)
      return &table[i];
  return NULL;
}

static gboolean
read_column (const ZhEntityInfo *info,
             const ZhField      *field,
             sqlite3_stmt       *stmt,
             int                 column,
             gpointer            entity,
             GError            **error)
{
  gboolean is_null = sqlite3_column_type (stmt, column) == SQLITE_NULL;

  switch (field->type)
    {
    case ZH_FIELD_UUID:
    case ZH_FIELD_STRING:
    case ZH_FIELD_DATE:
    case ZH_FIELD_JSON:
      *_zh_field_string (entity, field) =
        is_null ? g_strdup (_zh_string_default (field))
                : g_strdup ((const char *) sqlite3_column_text (stmt, column));
      return TRUE;
    case ZH_FIELD_TIME:
    case ZH_FIELD_INT:
      *_zh_field_int64 (entity, field) = sqlite3_column_int64 (stmt, column);
      return TRUE;
    case ZH_FIELD_REAL:
      *_zh_field_double (entity, field) = sqlite3_column_double (stmt, column);
      return TRUE;
    case ZH_FIELD_BOOL:
      *_zh_field_bool (entity, field) = sqlite3_column_int64 (stmt, column) != 0;
      return TRUE;
    case ZH_FIELD_FLAGS:
      *_zh_field_flags (entity, field) = (guint) sqlite3_column_int64 (stmt, column);
      return TRUE;
    case ZH_FIELD_ENUM:
      {
        const char *nick = (const char *) sqlite3_column_text (stmt, column);

        if (is_null)
          {
            *_zh_field_enum (entity, field) = 0;
            return TRUE;
          }
        if (!zh_enum_from_nick (field->enum_type (), nick, _zh_field_enum (entity, field)))
          {
            g_autofree char *known = _zh_dup_nicks (field->enum_type ());

            g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE,
                         _("Field “%s” of %s: “%s” is not one of: %s"),
                         field->name, info->name, nick, known);
            return FALSE;
          }
        return TRUE;
      }
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

/* zh_entity_from_stmt: (transfer full): the entity of @info in the current row of @stmt, whose
 * columns from @first_column on are @info's fields in order (as zh_entity_sql_select lists them).
 * NULL columns give the field's default; an enum code the build does not know gives NULL and a
 * ZH_MODEL_ERROR_INVALID_VALUE. */
gpointer
zh_entity_from_stmt (const ZhEntityInfo *info,
                     sqlite3_stmt       *stmt,
                     int                 first_column,
                     GError            **error)
{
  gpointer entity;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (stmt != NULL, NULL);
  g_return_val_if_fail (first_column >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entity = zh_entity_new (info);
  for (guint i = 0; i < info->n_fields; i++)
    if (!read_column (info, &info->fields[i], stmt, first_column + (int) i, entity, error))
      {
        zh_entity_free (info, entity);
        return NULL;
      }
  return entity;
}

static void
bind_fields (const ZhEntityInfo *info,
             gconstpointer       entity,
             sqlite3_stmt       *stmt,
             int                 first_param,
             sqlite3_destructor_type text_destructor)
{
  for (guint i = 0; i < info->n_fields; i++)
    {
      const ZhField *field = &info->fields[i];
      gboolean nullable = (field->flags & ZH_FIELD_NULLABLE) != 0;
      int param = first_param + (int) i;
      gpointer p = (gpointer) entity;

      switch (field->type)
        {
        case ZH_FIELD_UUID:
        case ZH_FIELD_STRING:
        case ZH_FIELD_DATE:
        case ZH_FIELD_JSON:
          {
            const char *value = _zh_string_value (entity, field);

            if (value == NULL)
              sqlite3_bind_null (stmt, param);
            else
              sqlite3_bind_text (stmt, param, value, -1, text_destructor);
          }
          break;
        case ZH_FIELD_TIME:
        case ZH_FIELD_INT:
          if (nullable && *_zh_field_int64 (p, field) == 0)
            sqlite3_bind_null (stmt, param);
          else
            sqlite3_bind_int64 (stmt, param, *_zh_field_int64 (p, field));
          break;
        case ZH_FIELD_REAL:
          sqlite3_bind_double (stmt, param, *_zh_field_double (p, field));
          break;
        case ZH_FIELD_BOOL:
          sqlite3_bind_int (stmt, param, *_zh_field_bool (p, field) ? 1 : 0);
          break;
        case ZH_FIELD_FLAGS:
          sqlite3_bind_int64 (stmt, param, *_zh_field_flags (p, field));
          break;
        case ZH_FIELD_ENUM:
          {
            int value = *_zh_field_enum (p, field);
            const char *nick = NULL;

            /* A nullable enum's first value means "not set" (end_reason NONE): stored as NULL.
             * A value outside the enum binds NULL too, which the NOT NULL columns refuse. */
            if (!(nullable && value == 0))
              nick = zh_enum_to_nick (field->enum_type (), value);
            if (nick == NULL)
              sqlite3_bind_null (stmt, param);
            else
              sqlite3_bind_text (stmt, param, nick, -1, SQLITE_STATIC);
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

/* zh_entity_bind: bind every field of @entity of @info to @stmt, in field order from parameter
 * @first_param on (1 is the first parameter). Text is copied: the caller may free the entity
 * before the statement is stepped. */
void
zh_entity_bind (const ZhEntityInfo *info,
                gconstpointer       entity,
                sqlite3_stmt       *stmt,
                int                 first_param)
{
  g_return_if_fail (info != NULL);
  g_return_if_fail (entity != NULL);
  g_return_if_fail (stmt != NULL);
  g_return_if_fail (first_param >= 1);

  bind_fields (info, entity, stmt, first_param, SQLITE_TRANSIENT);
}

/* zh_entity_bind_static: bind as zh_entity_bind does, without copying text: @entity must stay
 * unchanged until @stmt is reset (a page of the feed binds millions of strings). */
void
zh_entity_bind_static (const ZhEntityInfo *info,
                       gconstpointer       entity,
                       sqlite3_stmt       *stmt,
                       int                 first_param)
{
  g_return_if_fail (info != NULL);
  g_return_if_fail (entity != NULL);
  g_return_if_fail (stmt != NULL);
  g_return_if_fail (first_param >= 1);

  bind_fields (info, entity, stmt, first_param, SQLITE_STATIC);
}

/* zh_entity_sql_upsert: (transfer none): the statement zh_store_put_entity runs for @info:
 * "INSERT … ON CONFLICT (id) DO UPDATE SET …", its parameters the fields in order. */
const char *
zh_entity_sql_upsert (const ZhEntityInfo *info)
{
  const EntitySql *sql;

  g_return_val_if_fail (info != NULL, NULL);

  sql = entity_sql (info);
  g_return_val_if_fail (sql != NULL, NULL);
  return sql->upsert;
}

/* zh_store_put_entity: insert @entity of @info into its table, or replace every column of the row
 * with its id. A row that breaks a rule of the schema gives ZH_STORE_ERROR_CONSTRAINT. */
gboolean
zh_store_put_entity (ZhStore            *store,
                     const ZhEntityInfo *info,
                     gconstpointer       entity,
                     GError            **error)
{
  const EntitySql *sql;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (ZH_IS_STORE (store), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (entity != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  sql = entity_sql (info);
  g_return_val_if_fail (sql != NULL, FALSE);

  stmt = zh_store_prepare (store, sql->upsert, error);
  if (stmt == NULL)
    return FALSE;
  zh_entity_bind (info, entity, stmt, 1);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      const char *id = ((const ZhEntity *) entity)->id;
      g_autofree char *what = g_strdup_printf (_("Cannot save %s “%s”"), info->name,
                                               id != NULL ? id : "");

      zh_store_set_error (store, rc, what, error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/* zh_store_get_entity: (transfer full): the entity of @info with @id, or NULL with
 * ZH_STORE_ERROR_NOT_FOUND when there is none (or another error when the row cannot be read). */
gpointer
zh_store_get_entity (ZhStore            *store,
                     const ZhEntityInfo *info,
                     const char         *id,
                     GError            **error)
{
  const EntitySql *sql;
  sqlite3_stmt *stmt;
  gpointer entity = NULL;
  int rc;

  g_return_val_if_fail (ZH_IS_STORE (store), NULL);
  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sql = entity_sql (info);
  g_return_val_if_fail (sql != NULL, NULL);

  stmt = zh_store_prepare (store, sql->get, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    entity = zh_entity_from_stmt (info, stmt, 0, error);
  else if (rc == SQLITE_DONE)
    g_set_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_NOT_FOUND,
                 _("There is no %s “%s”"), info->name, id);
  else
    {
      g_autofree char *what = g_strdup_printf (_("Cannot read %s “%s”"), info->name, id);

      zh_store_set_error (store, rc, what, error);
    }
  sqlite3_reset (stmt);
  return entity;
}

/* zh_store_delete_entity: remove the entity of @info with @id. Removing a row that is not there
 * succeeds (a tombstone may name a row this copy never had); a row other rows still refer to gives
 * ZH_STORE_ERROR_CONSTRAINT. */
gboolean
zh_store_delete_entity (ZhStore            *store,
                        const ZhEntityInfo *info,
                        const char         *id,
                        GError            **error)
{
  const EntitySql *sql;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (ZH_IS_STORE (store), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  sql = entity_sql (info);
  g_return_val_if_fail (sql != NULL, FALSE);

  stmt = zh_store_prepare (store, sql->delete, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      g_autofree char *what = g_strdup_printf (_("Cannot delete %s “%s”"), info->name, id);

      zh_store_set_error (store, rc, what, error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}
