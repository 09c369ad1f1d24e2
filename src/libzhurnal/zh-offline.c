/* zh-offline.c: ZhOffline — the offline copy, local edits with their outbox operations, the
 * display rule, and the pieces of a sync that touch the database (docs/sync.md). */
#define G_LOG_DOMAIN "zh-offline"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "zh-entity-sql.h"
#include "zh-json-writer.h"
#include "zh-offline-private.h"
#include "zh-policy.h"

#define META_SERVER_URL "server_url"
#define META_LOGIN      "login"
#define META_STAFF_ID   "staff_id"

struct _ZhOffline
{
  GObject  parent_instance;

  ZhStore *store;      /* the main connection: edits, the outbox, answers; foreign keys on */
};

enum
{
  OUTBOX_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ZhOffline, zh_offline, G_TYPE_OBJECT)
G_DEFINE_QUARK (zh-offline-error-quark, zh_offline_error)

static void
zh_offline_finalize (GObject *object)
{
  ZhOffline *self = ZH_OFFLINE (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (zh_offline_parent_class)->finalize (object);
}

static void
zh_offline_class_init (ZhOfflineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zh_offline_finalize;

  /* ZhOffline::outbox-changed: an edit, an answer or a resolution changed the outbox. */
  signals[OUTBOX_CHANGED] = g_signal_new ("outbox-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
}

static void
zh_offline_init (ZhOffline *self)
{
}

/* zh_outbox_entry_free: free @entry and its strings. */
void
zh_outbox_entry_free (ZhOutboxEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->op_id);
  g_free (entry->entity_id);
  g_free (entry->value);
  g_free (entry->reason_code);
  g_free (entry->reason_message);
  g_free (entry->server_value);
  g_free (entry->correction);
  g_free (entry);
}

void
_zh_offline_emit_changed (ZhOffline *self)
{
  g_signal_emit (self, signals[OUTBOX_CHANGED], 0);
}

/* ---- opening -------------------------------------------------------------------------------- */

/* A path component from @text: letters, digits, '.', '-' and '_' kept, anything else '_', so a
 * login or host can never climb out of its folder. */
static char *
path_component (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    g_string_append_c (out, g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.' ? *p : '_');
  if (out->str[0] == '.' || out->len == 0)
    g_string_prepend_c (out, '_');
  return g_string_free (out, FALSE);
}

/* zh_offline_build_path: (transfer full): where the copy of @login at the service @server_url
 * lives: $XDG_DATA_HOME/zhurnal/<host>_<port>/<login>/offline.sqlite. */
char *
zh_offline_build_path (const char  *server_url,
                       const char  *login,
                       GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *host = NULL;
  g_autofree char *host_port = NULL;
  g_autofree char *user = NULL;
  int port;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (login != NULL, NULL);

  uri = g_uri_parse (server_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *login == '\0')
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_INVALID,
                   _("“%s” and “%s” do not name a journal service and a login."), server_url, login);
      return NULL;
    }
  port = g_uri_get_port (uri);
  if (port < 0)
    port = g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
  host = path_component (g_uri_get_host (uri));
  host_port = g_strdup_printf ("%s_%d", host, port);
  user = path_component (login);
  return g_build_filename (g_get_user_data_dir (), "zhurnal", host_port, user, "offline.sqlite", NULL);
}

/* Make @dir and its parents up to @top with mode 0700: the copy holds children's personal data. */
static gboolean
make_private_dirs (const char  *dir,
                   const char  *top,
                   GError     **error)
{
  g_autofree char *current = g_strdup (dir);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_PATH,
                   _("Cannot make the folder “%s” of the offline copy: %s"), dir,
                   g_strerror (saved_errno));
      return FALSE;
    }
  /* Folders made earlier with a looser mode are tightened, from the copy's folder up to ours. */
  while (g_str_has_prefix (current, top) && strlen (current) >= strlen (top))
    {
      char *parent;

      if (g_chmod (current, 0700) != 0)
        g_debug ("cannot make %s private: %s", current, g_strerror (errno));
      parent = g_path_get_dirname (current);
      g_free (current);
      current = parent;
    }
  return TRUE;
}

/* zh_offline_open_path: (transfer full): the offline copy in the file @path (made with mode 0600
 * if missing; its folder must exist). */
ZhOffline *
zh_offline_open_path (const char  *path,
                      GError     **error)
{
  g_autoptr(ZhOffline) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (ZH_TYPE_OFFLINE, NULL);
  self->store = zh_store_open (path, ZH_STORE_FLAGS_NONE, error);
  if (self->store == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

/* zh_offline_open: (transfer full): the offline copy of @login at @server_url, made on first use
 * in its private folder under the user's data folder. */
ZhOffline *
zh_offline_open (const char  *server_url,
                 const char  *login,
                 GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *top = NULL;
  g_autoptr(ZhOffline) self = NULL;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (login != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = zh_offline_build_path (server_url, login, error);
  if (path == NULL)
    return NULL;
  dir = g_path_get_dirname (path);
  top = g_build_filename (g_get_user_data_dir (), "zhurnal", NULL);
  if (!make_private_dirs (dir, top, error))
    return NULL;
  self = zh_offline_open_path (path, error);
  if (self == NULL)
    return NULL;
  if (!zh_store_set_meta (self->store, META_SERVER_URL, server_url, error) ||
      !zh_store_set_meta (self->store, META_LOGIN, login, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* zh_offline_get_store: (transfer none): the copy's main database connection. */
ZhStore *
zh_offline_get_store (ZhOffline *self)
{
  g_return_val_if_fail (ZH_IS_OFFLINE (self), NULL);

  return self->store;
}

/* zh_offline_get_path: the copy's file. */
const char *
zh_offline_get_path (ZhOffline *self)
{
  g_return_val_if_fail (ZH_IS_OFFLINE (self), NULL);

  return zh_store_get_path (self->store);
}

/* zh_offline_dup_server_url: (transfer full): the service the copy belongs to, or NULL. */
char *
zh_offline_dup_server_url (ZhOffline *self)
{
  g_return_val_if_fail (ZH_IS_OFFLINE (self), NULL);

  return zh_store_dup_meta (self->store, META_SERVER_URL);
}

/* zh_offline_dup_login: (transfer full): the login the copy belongs to, or NULL. */
char *
zh_offline_dup_login (ZhOffline *self)
{
  g_return_val_if_fail (ZH_IS_OFFLINE (self), NULL);

  return zh_store_dup_meta (self->store, META_LOGIN);
}

/* zh_offline_dup_staff_id: (transfer full): the id of the staff member the copy belongs to. */
char *
zh_offline_dup_staff_id (ZhOffline *self)
{
  g_return_val_if_fail (ZH_IS_OFFLINE (self), NULL);

  return zh_store_dup_meta (self->store, META_STAFF_ID);
}

gint64
_zh_offline_store_get_cursor (ZhStore *store)
{
  g_autofree char *text = zh_store_dup_meta (store, ZH_OFFLINE_META_CURSOR);

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
}

/* zh_offline_get_cursor: the rev of the last change of the feed applied to the copy (0: none). */
gint64
zh_offline_get_cursor (ZhOffline *self)
{
  g_return_val_if_fail (ZH_IS_OFFLINE (self), 0);

  return _zh_offline_store_get_cursor (self->store);
}

/* ---- rows, ops and shadows ------------------------------------------------------------------ */

static void
append_identifier (GString    *sql,
                   const char *name)
{
  if (sqlite3_keyword_check (name, (int) strlen (name)))
    g_string_append_printf (sql, "\"%s\"", name);
  else
    g_string_append (sql, name);
}

static gboolean
step_exists (ZhStore       *store,
             sqlite3_stmt  *stmt,
             gboolean      *exists,
             GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return zh_store_set_error (store, rc, sqlite3_sql (stmt), error);
  *exists = rc == SQLITE_ROW;
  return TRUE;
}

/* Whether the row @id of @info has operations in the outbox. */
static gboolean
row_has_ops (ZhStore             *store,
             const ZhEntityInfo  *info,
             const char          *id,
             gboolean            *has,
             GError             **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, "SELECT 1 FROM outbox WHERE entity = ?1 "
                                                "AND entity_id = ?2 LIMIT 1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, info->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  return step_exists (store, stmt, has, error);
}

typedef struct
{
  gboolean found;
  gint64   rev;
  gboolean deleted;
  char    *value;
} Shadow;

static void
shadow_clear (Shadow *shadow)
{
  g_clear_pointer (&shadow->value, g_free);
  shadow->found = FALSE;
}

static gboolean
shadow_get (ZhStore             *store,
            const ZhEntityInfo  *info,
            const char          *id,
            Shadow              *shadow,
            GError             **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, "SELECT rev, deleted, value FROM shadow "
                                                "WHERE entity = ?1 AND entity_id = ?2", error);
  int rc;

  memset (shadow, 0, sizeof *shadow);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, info->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      shadow->found = TRUE;
      shadow->rev = sqlite3_column_int64 (stmt, 0);
      shadow->deleted = sqlite3_column_int (stmt, 1) != 0;
      shadow->value = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return zh_store_set_error (store, rc, "shadow", error);
  return TRUE;
}

static gboolean
shadow_put (ZhStore             *store,
            const ZhEntityInfo  *info,
            const char          *id,
            gint64               rev,
            const char          *value,
            GError             **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, "INSERT OR REPLACE INTO shadow (entity, entity_id, "
                                                "rev, deleted, value) VALUES (?1, ?2, ?3, ?4, ?5)",
                                         error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, info->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, rev);
  sqlite3_bind_int (stmt, 4, value == NULL);
  if (value != NULL)
    sqlite3_bind_text (stmt, 5, value, -1, SQLITE_TRANSIENT);
  return zh_store_step_done (store, stmt, error);
}

static gboolean
shadow_delete (ZhStore             *store,
               const ZhEntityInfo  *info,
               const char          *id,
               GError             **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, "DELETE FROM shadow WHERE entity = ?1 AND entity_id = ?2",
                                         error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, info->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  return zh_store_step_done (store, stmt, error);
}

static gboolean
set_row_rev (ZhStore             *store,
             const ZhEntityInfo  *info,
             const char          *id,
             gint64               rev,
             GError             **error)
{
  g_autoptr(GString) sql = g_string_new ("UPDATE ");
  sqlite3_stmt *stmt;

  append_identifier (sql, info->table);
  g_string_append (sql, " SET rev = ?2 WHERE id = ?1");
  stmt = zh_store_prepare (store, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, rev);
  return zh_store_step_done (store, stmt, error);
}

/* Whether a row that the latest outbox operation of its row says should be there is missing from
 * @info's table: a pulled row must never push a row with a local edit out of the copy. */
static gboolean
pending_row_missing (ZhStore             *store,
                     const ZhEntityInfo  *info,
                     gboolean            *missing,
                     GError             **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT 1 FROM outbox o WHERE o.entity = ?1 "
                                         "AND o.action != 'delete' AND o.seq = (SELECT max (p.seq) "
                                         "FROM outbox p WHERE p.entity = o.entity AND "
                                         "p.entity_id = o.entity_id) AND NOT EXISTS (SELECT 1 FROM ");
  sqlite3_stmt *stmt;

  append_identifier (sql, info->table);
  g_string_append (sql, " t WHERE t.id = o.entity_id) LIMIT 1");
  stmt = zh_store_prepare (store, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, info->name, -1, SQLITE_STATIC);
  return step_exists (store, stmt, missing, error);
}

/* Write the service's row @entity of @info (NULL: delete @id) into the copy. A row of the feed
 * can clash on a unique key (lesson slot, attendance of a student) with a stale local row that
 * itself changed later in the feed; such stale rows are replaced. When the clash is with a row
 * that has a local edit, the service's row waits in the shadow table until that edit is settled
 * (docs/sync.md). */
static gboolean
apply_server_row (ZhStore             *store,
                  const ZhEntityInfo  *info,
                  const char          *id,
                  gint64               rev,
                  gconstpointer        entity,
                  GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) sql = NULL;
  sqlite3_stmt *stmt;
  gboolean missing = FALSE;
  int rc;

  if (entity == NULL)
    return zh_store_delete_entity (store, info, id, error);

  if (zh_store_put_entity (store, info, entity, &local_error))
    return TRUE;
  if (sqlite3_extended_errcode (zh_store_get_db (store)) != SQLITE_CONSTRAINT_UNIQUE)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  sql = g_string_new ("INSERT OR REPLACE INTO ");
  append_identifier (sql, info->table);
  g_string_append (sql, " (");
  for (guint i = 0; i < info->n_fields; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      append_identifier (sql, info->fields[i].name);
    }
  g_string_append (sql, ") VALUES (");
  for (guint i = 0; i < info->n_fields; i++)
    g_string_append_printf (sql, i > 0 ? ", ?%u" : "?%u", i + 1);
  g_string_append (sql, ")");

  if (!zh_store_lock (store, error))
    return FALSE;
  stmt = zh_store_prepare (store, sql->str, error);
  if (stmt == NULL)
    goto failed;
  zh_entity_bind (info, entity, stmt, 1);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      zh_store_set_error (store, rc, info->name, error);
      goto failed;
    }
  if (!pending_row_missing (store, info, &missing, error))
    goto failed;
  if (missing)
    {
      g_autofree char *value = zh_entity_to_string (info, entity);

      g_debug ("%s %s waits behind a local edit that holds its unique key", info->name, id);
      if (!zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, error))
        return FALSE;
      return shadow_put (store, info, id, rev, value, error);
    }
  return zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, error);

failed:
  zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
  return FALSE;
}

/* Write the service's row given as JSON text (NULL: it has none) into the copy. */
static gboolean
apply_server_json (ZhStore             *store,
                   const ZhEntityInfo  *info,
                   const char          *id,
                   gint64               rev,
                   const char          *json,
                   GError             **error)
{
  gpointer entity = NULL;
  gboolean ok;

  if (json != NULL)
    {
      entity = zh_entity_from_string (info, json, -1, error);
      if (entity == NULL)
        return FALSE;
    }
  ok = apply_server_row (store, info, id, rev, entity, error);
  if (entity != NULL)
    zh_entity_free (info, entity);
  return ok;
}

/* Shadow rows whose own row has no operations left are the service's rows that waited behind a
 * local edit of another row (a unique key); once that edit is settled they are applied. */
static gboolean
flush_orphan_shadows (ZhStore  *store,
                      GError  **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, "SELECT s.entity, s.entity_id, s.rev, s.value "
                                                "FROM shadow s WHERE NOT EXISTS (SELECT 1 FROM outbox o "
                                                "WHERE o.entity = s.entity AND o.entity_id = s.entity_id)",
                                         error);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (rows, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      g_ptr_array_add (rows, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
      g_ptr_array_add (rows, g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 2)));
      g_ptr_array_add (rows, g_strdup ((const char *) sqlite3_column_text (stmt, 3)));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return zh_store_set_error (store, rc, "shadow", error);

  for (guint i = 0; i < rows->len; i += 4)
    {
      const ZhEntityInfo *info = zh_entity_info_lookup (rows->pdata[i]);
      const char *id = rows->pdata[i + 1];
      gint64 rev = g_ascii_strtoll (rows->pdata[i + 2], NULL, 10);

      if (info == NULL)
        continue;
      if (!shadow_delete (store, info, id, error) ||
          !apply_server_json (store, info, id, rev, rows->pdata[i + 3], error))
        return FALSE;
    }
  return TRUE;
}

/* Show the latest operation of a row that still has operations. */
static gboolean
show_latest_op (ZhStore             *store,
                const ZhEntityInfo  *info,
                const char          *id,
                GError             **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, "SELECT action, value FROM outbox WHERE entity = ?1 "
                                                "AND entity_id = ?2 ORDER BY seq DESC LIMIT 1", error);
  g_autofree char *action = NULL;
  g_autofree char *value = NULL;
  gpointer entity;
  gboolean ok;
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, info->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      action = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      value = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return rc == SQLITE_DONE ? TRUE : zh_store_set_error (store, rc, "outbox", error);

  if (g_str_equal (action, "delete"))
    return zh_store_delete_entity (store, info, id, error);
  entity = zh_entity_from_string (info, value, -1, error);
  if (entity == NULL)
    return FALSE;
  ok = zh_store_put_entity (store, info, entity, error);
  zh_entity_free (info, entity);
  return ok;
}

/* Show the service's version of a row, kept in its shadow (if any). The shadow stays while the
 * row still has operations (older refused edits, still listed); else it goes, and rows that waited
 * behind this one's unique key are applied. */
static gboolean
show_service_row (ZhStore             *store,
                  const ZhEntityInfo  *info,
                  const char          *id,
                  GError             **error)
{
  Shadow shadow;
  gboolean has_ops = FALSE;
  gboolean ok;

  if (!row_has_ops (store, info, id, &has_ops, error) ||
      !shadow_get (store, info, id, &shadow, error))
    return FALSE;
  if (!shadow.found)
    return TRUE;
  ok = (has_ops || shadow_delete (store, info, id, error)) &&
       apply_server_json (store, info, id, shadow.rev, shadow.deleted ? NULL : shadow.value, error) &&
       (has_ops || flush_orphan_shadows (store, error));
  shadow_clear (&shadow);
  return ok;
}

/* ---- the edit context: who edits what, and the school's policy ------------------------------ */

typedef struct
{
  ZhStaff        *staff;
  ZhLesson       *lesson;
  ZhGroup        *group;
  ZhClass        *klass;
  ZhAcademicYear *year;
  ZhPolicy       *policy;
} EditContext;

static void
edit_context_clear (EditContext *ctx)
{
  g_clear_pointer (&ctx->staff, zh_staff_free);
  g_clear_pointer (&ctx->lesson, zh_lesson_free);
  g_clear_pointer (&ctx->group, zh_group_free);
  g_clear_pointer (&ctx->klass, zh_class_free);
  g_clear_pointer (&ctx->year, zh_academic_year_free);
  g_clear_pointer (&ctx->policy, zh_policy_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EditContext, edit_context_clear)

/* The row @id of @info, or NULL with ZH_OFFLINE_ERROR_NOT_FOUND naming it. */
static gpointer
get_row (ZhOffline           *self,
         const ZhEntityInfo  *info,
         const char          *id,
         GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  gpointer entity;

  if (id == NULL)
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_NOT_FOUND,
                   _("The offline copy has no %s to go with this edit; sync first."), info->name);
      return NULL;
    }
  entity = zh_store_get_entity (self->store, info, id, &local_error);
  if (entity == NULL && g_error_matches (local_error, ZH_STORE_ERROR, ZH_STORE_ERROR_NOT_FOUND))
    g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_NOT_FOUND,
                 _("The offline copy has no %s “%s”; sync first."), info->name, id);
  else if (entity == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return entity;
}

static gboolean
load_staff (ZhOffline    *self,
            EditContext  *ctx,
            GError      **error)
{
  g_autofree char *staff_id = zh_store_dup_meta (self->store, META_STAFF_ID);
  g_autoptr(GError) local_error = NULL;

  if (staff_id != NULL)
    ctx->staff = zh_store_get_entity (self->store, &zh_staff_info, staff_id, &local_error);
  if (ctx->staff == NULL)
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_NOT_SIGNED_IN,
                   _("The offline copy “%s” does not know who is signed in; sign in and sync first."),
                   zh_store_get_path (self->store));
      return FALSE;
    }
  return TRUE;
}

/* Load the group @group_id, its class, year and the school's policy. */
static gboolean
load_group (ZhOffline    *self,
            EditContext  *ctx,
            const char   *group_id,
            GError      **error)
{
  g_autoptr(ZhSchool) school = NULL;

  if ((ctx->group = get_row (self, &zh_group_info, group_id, error)) == NULL ||
      (ctx->klass = get_row (self, &zh_class_info, ctx->group->class_id, error)) == NULL ||
      (ctx->year = get_row (self, &zh_academic_year_info, ctx->klass->year_id, error)) == NULL ||
      (school = get_row (self, &zh_school_info, ctx->year->school_id, error)) == NULL)
    return FALSE;
  ctx->policy = zh_policy_new_from_json (school->policy, error);
  return ctx->policy != NULL;
}

static gboolean
load_lesson (ZhOffline    *self,
             EditContext  *ctx,
             const char   *lesson_id,
             GError      **error)
{
  if (!load_staff (self, ctx, error) ||
      (ctx->lesson = get_row (self, &zh_lesson_info, lesson_id, error)) == NULL)
    return FALSE;
  return load_group (self, ctx, ctx->lesson->group_id, error);
}

/* Whether the signed-in staff member is the class teacher of @student_id on @date: the class the
 * student is enrolled in that day has them as its class teacher (002 §5.3). */
static gboolean
is_class_teacher_of (ZhOffline    *self,
                     const char   *staff_id,
                     const char   *student_id,
                     const char   *date,
                     gboolean     *result,
                     GError      **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (self->store,
                                         "SELECT 1 FROM enrollment e JOIN class c ON c.id = e.class_id "
                                         "WHERE e.student_id = ?1 AND e.date_from <= ?2 "
                                         "AND (e.date_to IS NULL OR e.date_to >= ?2) "
                                         "AND c.class_teacher_id = ?3 LIMIT 1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, student_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, staff_id, -1, SQLITE_TRANSIENT);
  return step_exists (self->store, stmt, result, error);
}

/* Ask the school's policy whether the signed-in staff member may make the edit @kind now. */
static gboolean
check_policy (ZhOffline      *self,
              EditContext    *ctx,
              ZhEditKind      kind,
              const char     *date,
              const char     *student_id,
              gint64          now,
              ZhEditRequest  *extra,
              GError        **error)
{
  ZhEditRequest request = { 0 };

  if (extra != NULL)
    request = *extra;
  request.kind = kind;
  request.roles = ctx->staff->roles;
  request.teaches_group = g_strcmp0 (ctx->group->teacher_id, ctx->staff->id) == 0;
  request.substitutes_lesson = ctx->lesson != NULL && ctx->lesson->substitute &&
                               g_strcmp0 (ctx->lesson->teacher_id, ctx->staff->id) == 0;
  request.grade = (int) ctx->klass->grade;
  request.date = date;
  request.year_start = ctx->year->starts;
  request.now = now;
  if (student_id != NULL &&
      !is_class_teacher_of (self, ctx->staff->id, student_id, date,
                            &request.is_class_teacher_of_student, error))
    return FALSE;
  return zh_policy_may_edit (ctx->policy, &request, error);
}

/* ---- recording an edit ---------------------------------------------------------------------- */

typedef struct
{
  gboolean   found;
  gint64     seq;
  char      *op_id;
  ZhOpAction action;
  gint64     base_rev;
  gint64     attempts;
  ZhOutboxState state;
  gboolean   only;      /* it is the row's only operation */
} LastOp;

static gboolean
get_last_op (ZhStore             *store,
             const ZhEntityInfo  *info,
             const char          *id,
             LastOp              *last,
             GError             **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store,
                                         "SELECT seq, op_id, action, base_rev, attempts, state, "
                                         "(SELECT count (*) FROM outbox p WHERE p.entity = o.entity "
                                         "AND p.entity_id = o.entity_id) "
                                         "FROM outbox o WHERE entity = ?1 AND entity_id = ?2 "
                                         "ORDER BY seq DESC LIMIT 1", error);
  int rc;

  memset (last, 0, sizeof *last);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, info->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      int value = 0;

      last->found = TRUE;
      last->seq = sqlite3_column_int64 (stmt, 0);
      last->op_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      zh_enum_from_nick (ZH_TYPE_OP_ACTION, (const char *) sqlite3_column_text (stmt, 2), &value);
      last->action = value;
      last->base_rev = sqlite3_column_int64 (stmt, 3);
      last->attempts = sqlite3_column_int64 (stmt, 4);
      zh_enum_from_nick (ZH_TYPE_OUTBOX_STATE, (const char *) sqlite3_column_text (stmt, 5), &value);
      last->state = value;
      last->only = sqlite3_column_int64 (stmt, 6) == 1;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return zh_store_set_error (store, rc, "outbox", error);
  return TRUE;
}

static gboolean
append_op (ZhStore             *store,
           const char          *op_id,
           const ZhEntityInfo  *info,
           const char          *id,
           ZhOpAction           action,
           const char          *value,
           gint64               base_rev,
           gint64               entered_at,
           GError             **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store,
                                         "INSERT INTO outbox (op_id, entity, entity_id, action, value, "
                                         "base_rev, entered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                         error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, op_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, info->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, zh_enum_to_nick (ZH_TYPE_OP_ACTION, action), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, value, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, base_rev);
  sqlite3_bind_int64 (stmt, 7, entered_at);
  return zh_store_step_done (store, stmt, error);
}

static gboolean
delete_op (ZhStore  *store,
           gint64    seq,
           GError  **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, "DELETE FROM outbox WHERE seq = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  return zh_store_step_done (store, stmt, error);
}

/* Record one edit of the row @id of @info: @before is the row as the copy shows it (NULL: none),
 * @after the row as the user leaves it (NULL: deleted). The row and its outbox operation are
 * written in one transaction.
 *
 * - The first operation of a row saves the row as last pulled in the shadow table and takes its
 *   rev as base_rev.
 * - A later operation takes the base_rev of the operation before it; that base_rev is rewritten
 *   when the service answers the earlier one (docs/sync.md, "Several edits of one row").
 * - An operation never sent (attempts = 0) is replaced in place by the next edit of its row: the
 *   service has never seen its op_id, so nothing can be applied twice. A row made and removed
 *   before it was ever sent leaves nothing at all. */
static gboolean
record_edit (ZhOffline           *self,
             const ZhEntityInfo  *info,
             const char          *id,
             gconstpointer        before,
             gconstpointer        after,
             gint64               now,
             GError             **error)
{
  ZhStore *store = self->store;
  ZhOpAction action = after != NULL ? ZH_OP_ACTION_PUT : ZH_OP_ACTION_DELETE;
  g_autofree char *value = zh_entity_to_string (info, after != NULL ? after : before);
  LastOp last;

  if (!zh_store_lock (store, error))
    return FALSE;
  if (!get_last_op (store, info, id, &last, error))
    goto failed;

  if (!last.found)
    {
      g_autofree char *op_id = zh_uuid_new ();
      g_autofree char *before_json = before != NULL ? zh_entity_to_string (info, before) : NULL;
      gint64 base_rev = before != NULL ? ((const ZhEntity *) before)->rev : 0;

      if (!shadow_put (store, info, id, base_rev, before_json, error) ||
          !append_op (store, op_id, info, id, action, value, base_rev, now, error))
        goto failed;
    }
  else if (last.state == ZH_OUTBOX_PENDING && last.attempts == 0)
    {
      if (action == ZH_OP_ACTION_DELETE && last.only && last.base_rev == 0 &&
          last.action == ZH_OP_ACTION_PUT)
        {
          /* Made and removed offline: the service never hears of it. */
          if (!delete_op (store, last.seq, error) ||
              !shadow_delete (store, info, id, error))
            goto failed;
        }
      else
        {
          sqlite3_stmt *stmt = zh_store_prepare (store, "UPDATE outbox SET action = ?2, value = ?3, "
                                                        "entered_at = ?4 WHERE seq = ?1", error);

          if (stmt == NULL)
            goto failed;
          sqlite3_bind_int64 (stmt, 1, last.seq);
          sqlite3_bind_text (stmt, 2, zh_enum_to_nick (ZH_TYPE_OP_ACTION, action), -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 3, value, -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (stmt, 4, now);
          if (!zh_store_step_done (store, stmt, error))
            goto failed;
        }
    }
  else
    {
      g_autofree char *op_id = zh_uuid_new ();

      if (!append_op (store, op_id, info, id, action, value, last.base_rev, now, error))
        goto failed;
    }

  if (after != NULL ? !zh_store_put_entity (store, info, after, error)
                    : !zh_store_delete_entity (store, info, id, error))
    goto failed;

  g_free (last.op_id);
  if (!zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, error))
    return FALSE;
  _zh_offline_emit_changed (self);
  return TRUE;

failed:
  g_free (last.op_id);
  zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
  return FALSE;
}

/* ---- the edits ------------------------------------------------------------------------------ */

static gboolean
check_student (ZhOffline   *self,
               const char  *student_id,
               GError     **error)
{
  g_autoptr(ZhStudent) student = get_row (self, &zh_student_info, student_id, error);

  return student != NULL;
}

/* zh_offline_add_mark: enter a current mark @value of the form of control @work_type for
 * @student_id in @lesson_id (002 §5.2), checked by the school's policy first. The new mark's id
 * is returned in @mark_id if asked for. */
gboolean
zh_offline_add_mark (ZhOffline   *self,
                     const char  *lesson_id,
                     const char  *student_id,
                     const char  *value,
                     const char  *work_type,
                     const char  *comment,
                     gint64       now,
                     char       **mark_id,
                     GError     **error)
{
  return zh_offline_add_mark_part (self, lesson_id, student_id, value, work_type, comment, 0, now,
                                   mark_id, error);
}

/* zh_offline_add_mark_part: like zh_offline_add_mark, for @part 1 or 2 of a double mark (an
 * essay's content and literacy, 002 §5.2), or 0 for a single mark. */
gboolean
zh_offline_add_mark_part (ZhOffline   *self,
                          const char  *lesson_id,
                          const char  *student_id,
                          const char  *value,
                          const char  *work_type,
                          const char  *comment,
                          int          part,
                          gint64       now,
                          char       **mark_id,
                          GError     **error)
{
  g_auto(EditContext) ctx = { 0 };
  g_autoptr(ZhMark) mark = NULL;
  double weight = 1;

  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (lesson_id != NULL && student_id != NULL, FALSE);
  g_return_val_if_fail (value != NULL && work_type != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (part < 0 || part > 2)
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_INVALID,
                   _("A mark’s part is 0 (a single mark), 1 or 2 (the halves of a double mark), "
                     "not %d."), part);
      return FALSE;
    }
  if (!load_lesson (self, &ctx, lesson_id, error) ||
      !check_student (self, student_id, error) ||
      !check_policy (self, &ctx, ZH_EDIT_ADD_MARK, ctx.lesson->date, NULL, now, NULL, error) ||
      !zh_policy_check_mark_value (ctx.policy, value, FALSE, error) ||
      !zh_policy_check_work_type (ctx.policy, work_type, error))
    return FALSE;
  zh_policy_lookup_work_type (ctx.policy, work_type, NULL, NULL, &weight);

  mark = zh_mark_new ();
  mark->id = zh_uuid_new ();
  mark->lesson_id = g_strdup (lesson_id);
  mark->student_id = g_strdup (student_id);
  g_free (mark->value);
  mark->value = g_strdup (value);
  g_free (mark->work_type);
  mark->work_type = g_strdup (work_type);
  mark->weight = weight;
  mark->part = part;
  g_free (mark->comment);
  mark->comment = g_strdup (comment != NULL ? comment : "");
  mark->state = ZH_MARK_STATE_ACTIVE;
  mark->entered_by = g_strdup (ctx.staff->id);
  mark->entered_at = now;

  if (!record_edit (self, &zh_mark_info, mark->id, NULL, mark, now, error))
    return FALSE;
  if (mark_id != NULL)
    *mark_id = g_strdup (mark->id);
  return TRUE;
}

/* zh_offline_delete_mark: take back the mark @mark_id — its author's undo within the school's
 * undo grace (zh_policy_get_undo_seconds; 002 §5.2 otherwise forbids it), checked by the policy as
 * ZH_EDIT_DELETE_MARK. A mark whose entry was never sent leaves nothing to send; one already sent
 * is deleted on the service after it (docs/sync.md "Several edits of one row"). */
gboolean
zh_offline_delete_mark (ZhOffline   *self,
                        const char  *mark_id,
                        gint64       now,
                        GError     **error)
{
  g_auto(EditContext) ctx = { 0 };
  g_autoptr(ZhMark) mark = NULL;
  ZhEditRequest facts = { 0 };

  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (mark_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((mark = get_row (self, &zh_mark_info, mark_id, error)) == NULL ||
      !load_lesson (self, &ctx, mark->lesson_id, error))
    return FALSE;
  facts.own_mark = g_strcmp0 (mark->entered_by, ctx.staff->id) == 0;
  facts.mark_entered_at = mark->entered_at;
  if (!check_policy (self, &ctx, ZH_EDIT_DELETE_MARK, ctx.lesson->date, NULL, now, &facts, error))
    return FALSE;
  return record_edit (self, &zh_mark_info, mark->id, mark, NULL, now, error);
}

/* zh_offline_change_mark: change the value, form of control or comment of the mark @mark_id; only
 * its author may, and only as long as the school's policy lets a mark be changed (002 §5.2). */
gboolean
zh_offline_change_mark (ZhOffline   *self,
                        const char  *mark_id,
                        const char  *value,
                        const char  *work_type,
                        const char  *comment,
                        gint64       now,
                        GError     **error)
{
  g_auto(EditContext) ctx = { 0 };
  g_autoptr(ZhMark) before = NULL;
  g_autoptr(ZhMark) after = NULL;
  ZhEditRequest extra = { 0 };
  double weight = 1;

  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (mark_id != NULL, FALSE);
  g_return_val_if_fail (value != NULL && work_type != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  before = get_row (self, &zh_mark_info, mark_id, error);
  if (before == NULL || !load_lesson (self, &ctx, before->lesson_id, error))
    return FALSE;
  if (before->state != ZH_MARK_STATE_ACTIVE)
    {
      g_set_error (error, ZH_POLICY_ERROR, ZH_POLICY_ERROR_MARK_LOCKED, "%s",
                   _("A corrected mark stays as it is; correct the mark that replaced it."));
      return FALSE;
    }
  extra.own_mark = g_strcmp0 (before->entered_by, ctx.staff->id) == 0;
  extra.mark_entered_at = before->entered_at;
  if (!check_policy (self, &ctx, ZH_EDIT_CHANGE_MARK, ctx.lesson->date, NULL, now, &extra, error) ||
      !zh_policy_check_mark_value (ctx.policy, value, FALSE, error) ||
      !zh_policy_check_work_type (ctx.policy, work_type, error))
    return FALSE;
  zh_policy_lookup_work_type (ctx.policy, work_type, NULL, NULL, &weight);

  after = zh_mark_copy (before);
  g_free (after->value);
  after->value = g_strdup (value);
  g_free (after->work_type);
  after->work_type = g_strdup (work_type);
  after->weight = weight;
  g_free (after->comment);
  after->comment = g_strdup (comment != NULL ? comment : "");
  after->entered_at = MAX (now, before->entered_at);
  after->received_at = 0;
  return record_edit (self, &zh_mark_info, after->id, before, after, now, error);
}

/* zh_offline_correct_mark: correct the mark @mark_id to @value for one of the five legal reasons
 * of 002 §7 on the document @document («Приказ № 45 от 12.11.2026»): the old mark stays, struck
 * out (state corrected), a new mark replaces it in the same cell, and the operation waits in the
 * outbox with the reason and document until the service keeps them in its correction row. Only
 * the staff the school's policy names (a deputy, an administrator) correct marks. The new mark's
 * id is returned in @new_mark_id if asked for. */
gboolean
zh_offline_correct_mark (ZhOffline          *self,
                         const char         *mark_id,
                         const char         *value,
                         ZhCorrectionReason  reason,
                         const char         *document,
                         gint64              now,
                         char              **new_mark_id,
                         GError            **error)
{
  g_auto(EditContext) ctx = { 0 };
  g_autoptr(ZhMark) before = NULL;
  g_autoptr(ZhMark) corrected = NULL;
  g_autoptr(ZhMark) replacement = NULL;
  g_autoptr(GString) correction = g_string_new (NULL);
  g_autoptr(ZhJsonWriter) writer = NULL;
  g_autofree char *op_id = NULL;
  g_autofree char *before_json = NULL;
  g_autofree char *value_json = NULL;
  g_autofree char *stripped = NULL;
  ZhEditRequest request = { 0 };
  sqlite3_stmt *stmt;
  gboolean has_ops = FALSE;

  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (mark_id != NULL && value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  before = get_row (self, &zh_mark_info, mark_id, error);
  if (before == NULL || !load_lesson (self, &ctx, before->lesson_id, error))
    return FALSE;

  /* 002 §7: by the people responsible, for a legal reason, on a document — asked first, so a
   * correction without its document is refused at once, offline too. */
  stripped = g_strstrip (g_strdup (document != NULL ? document : ""));
  request.kind = ZH_EDIT_CORRECT_MARK;
  request.roles = ctx.staff->roles;
  request.now = now;
  request.correction_reason = reason;
  request.correction_document = stripped;
  if (!zh_policy_may_edit (ctx.policy, &request, error) ||
      !zh_policy_check_mark_value (ctx.policy, value, FALSE, error))
    return FALSE;
  if (before->state != ZH_MARK_STATE_ACTIVE)
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_STATE, "%s",
                   _("This mark has been corrected already; correct the mark that replaced it."));
      return FALSE;
    }

  if (!zh_store_lock (self->store, error))
    return FALSE;
  /* The service corrects the mark it has: one still waiting to be sent is sent first. */
  if (!row_has_ops (self->store, &zh_mark_info, mark_id, &has_ops, error))
    goto failed;
  if (has_ops)
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_STATE, "%s",
                   _("This mark has not reached the service yet: sync, then correct it."));
      goto failed;
    }

  corrected = zh_mark_copy (before);
  corrected->state = ZH_MARK_STATE_CORRECTED;
  replacement = zh_mark_copy (before);
  g_free (replacement->id);
  replacement->id = zh_uuid_new ();
  g_free (replacement->value);
  replacement->value = g_strdup (value);
  g_free (replacement->entered_by);
  replacement->entered_by = g_strdup (ctx.staff->id);
  replacement->entered_at = now;
  replacement->received_at = 0;
  replacement->rev = 0;

  writer = zh_json_writer_new (correction);
  zh_json_writer_begin_object (writer);
  zh_json_writer_key (writer, "reason");
  zh_json_writer_string (writer, zh_enum_to_nick (ZH_TYPE_CORRECTION_REASON, reason));
  zh_json_writer_key (writer, "document");
  zh_json_writer_string (writer, stripped);
  zh_json_writer_end_object (writer);

  op_id = zh_uuid_new ();
  before_json = zh_entity_to_string (&zh_mark_info, before);
  value_json = zh_entity_to_string (&zh_mark_info, replacement);
  stmt = zh_store_prepare (self->store,
                           "INSERT INTO outbox (op_id, entity, entity_id, action, value, base_rev, "
                           "entered_at, correction) VALUES (?1, 'mark', ?2, 'correct', ?3, ?4, ?5, ?6)",
                           error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, op_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, mark_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, value_json, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, before->rev);
  sqlite3_bind_int64 (stmt, 5, now);
  sqlite3_bind_text (stmt, 6, correction->str, -1, SQLITE_STATIC);
  if (!shadow_put (self->store, &zh_mark_info, mark_id, before->rev, before_json, error) ||
      !zh_store_step_done (self->store, stmt, error) ||
      !zh_store_put_entity (self->store, &zh_mark_info, corrected, error) ||
      !zh_store_put_entity (self->store, &zh_mark_info, replacement, error))
    goto failed;
  if (!zh_store_unlock (self->store, ZH_STORE_UNLOCK_COMMIT, error))
    return FALSE;
  _zh_offline_emit_changed (self);
  if (new_mark_id != NULL)
    *new_mark_id = g_strdup (replacement->id);
  return TRUE;

failed:
  zh_store_unlock (self->store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
  return FALSE;
}

/* A correction that will not reach the service takes its new mark out of the copy again (the old
 * mark comes back from the shadow with the rest of the row). */
static gboolean
drop_replacement (ZhStore        *store,
                  ZhOutboxEntry  *entry,
                  GError        **error)
{
  g_autoptr(ZhMark) replacement = NULL;

  if (entry->action != ZH_OP_ACTION_CORRECT || entry->info != &zh_mark_info)
    return TRUE;
  replacement = zh_entity_from_string (&zh_mark_info, entry->value, -1, error);
  if (replacement == NULL)
    return FALSE;
  return zh_store_delete_entity (store, &zh_mark_info, replacement->id, error);
}

/* The attendance row of @student_id in @lesson_id, or NULL (no error) when there is none. */
static ZhAttendance *
find_attendance (ZhOffline   *self,
                 const char  *lesson_id,
                 const char  *student_id,
                 GError     **error)
{
  g_autofree char *select = zh_entity_sql_select (&zh_attendance_info);
  g_autofree char *sql = g_strconcat (select, " WHERE lesson_id = ?1 AND student_id = ?2", NULL);
  sqlite3_stmt *stmt = zh_store_prepare (self->store, sql, error);
  ZhAttendance *row = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, lesson_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, student_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    row = zh_entity_from_stmt (&zh_attendance_info, stmt, 0, error);
  else if (rc != SQLITE_DONE)
    zh_store_set_error (self->store, rc, "attendance", error);
  sqlite3_reset (stmt);
  return row;
}

/* Set the attendance code of @student_id in @lesson_id: an absence or lateness on the day
 * (ZH_EDIT_SET_ABSENCE), or its reason (ZH_EDIT_SET_ABSENCE_REASON). */
static gboolean
set_attendance (ZhOffline         *self,
                const char        *lesson_id,
                const char        *student_id,
                ZhAttendanceCode   code,
                ZhEditKind         kind,
                gint64             now,
                GError           **error)
{
  g_auto(EditContext) ctx = { 0 };
  g_autoptr(ZhAttendance) before = NULL;
  g_autoptr(ZhAttendance) after = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!load_lesson (self, &ctx, lesson_id, error) ||
      !check_student (self, student_id, error) ||
      !check_policy (self, &ctx, kind, ctx.lesson->date, student_id, now, NULL, error))
    return FALSE;

  before = find_attendance (self, lesson_id, student_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (before == NULL && kind == ZH_EDIT_SET_ABSENCE_REASON)
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_NOT_FOUND,
                   _("No absence of student “%s” is recorded in lesson “%s”: the reason is set for "
                     "a recorded absence."), student_id, lesson_id);
      return FALSE;
    }

  if (before != NULL)
    after = zh_attendance_copy (before);
  else
    {
      after = zh_attendance_new ();
      after->id = zh_uuid_new ();
      after->lesson_id = g_strdup (lesson_id);
      after->student_id = g_strdup (student_id);
      after->comment = g_strdup ("");
    }
  after->code = code;
  g_clear_pointer (&after->entered_by, g_free);
  after->entered_by = g_strdup (ctx.staff->id);
  after->entered_at = now;
  after->received_at = 0;

  return record_edit (self, &zh_attendance_info, after->id, before, after, now, error);
}

/* zh_offline_set_absence: record @student_id absent (ZH_ATTENDANCE_ABSENT, «н») or late
 * (ZH_ATTENDANCE_LATE) in @lesson_id, on the day of the lesson (002 §5.3). */
gboolean
zh_offline_set_absence (ZhOffline         *self,
                        const char        *lesson_id,
                        const char        *student_id,
                        ZhAttendanceCode   code,
                        gint64             now,
                        GError           **error)
{
  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (lesson_id != NULL && student_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (code != ZH_ATTENDANCE_ABSENT && code != ZH_ATTENDANCE_LATE)
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_INVALID,
                   _("“%s” is a reason for an absence, not an absence: the class teacher sets it."),
                   zh_enum_to_nick (ZH_TYPE_ATTENDANCE_CODE, code));
      return FALSE;
    }
  return set_attendance (self, lesson_id, student_id, code, ZH_EDIT_SET_ABSENCE, now, error);
}

/* zh_offline_set_absence_reason: set the reason (ill, valid, invalid) of a recorded absence of
 * @student_id in @lesson_id; the class teacher's task (002 §5.3, 000 §4.3.3). */
gboolean
zh_offline_set_absence_reason (ZhOffline         *self,
                               const char        *lesson_id,
                               const char        *student_id,
                               ZhAttendanceCode   reason,
                               gint64             now,
                               GError           **error)
{
  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (lesson_id != NULL && student_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (reason != ZH_ATTENDANCE_ILL && reason != ZH_ATTENDANCE_VALID && reason != ZH_ATTENDANCE_INVALID)
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_INVALID,
                   _("“%s” is not a reason for an absence (ill, valid or invalid)."),
                   zh_enum_to_nick (ZH_TYPE_ATTENDANCE_CODE, reason));
      return FALSE;
    }
  return set_attendance (self, lesson_id, student_id, reason, ZH_EDIT_SET_ABSENCE_REASON, now, error);
}

/* zh_offline_take_back_absence_reason: take back the reason @reason given to the absence of
 * @student_id in @lesson_id: the absence gets @previous again, the code it had before (an absence,
 * a lateness or another reason). */
gboolean
zh_offline_take_back_absence_reason (ZhOffline         *self,
                                     const char        *lesson_id,
                                     const char        *student_id,
                                     ZhAttendanceCode   reason,
                                     ZhAttendanceCode   previous,
                                     gint64             now,
                                     GError           **error)
{
  g_auto(EditContext) ctx = { 0 };
  g_autoptr(ZhAttendance) before = NULL;
  g_autoptr(ZhAttendance) after = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean previous_is_reason = previous == ZH_ATTENDANCE_ILL || previous == ZH_ATTENDANCE_VALID ||
                                previous == ZH_ATTENDANCE_INVALID;

  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (lesson_id != NULL && student_id != NULL, FALSE);
  g_return_val_if_fail (reason == ZH_ATTENDANCE_ILL || reason == ZH_ATTENDANCE_VALID ||
                        reason == ZH_ATTENDANCE_INVALID, FALSE);
  g_return_val_if_fail ((guint) previous <= ZH_ATTENDANCE_LATE, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Taking a reason back is setting the absence's reason again: the student's class teacher's
   * task, within the edit window, never ahead of the lesson (002 §5.3, 000 §4.3.3, 004 §3.6).
   * A plain absence or lateness given back is also judged as recording one, the way the service
   * judges the row by its new code (002 §5.3: an absence is recorded by the lesson's teacher), so
   * the outbox never carries an edit the service is bound to refuse. */
  if (!load_lesson (self, &ctx, lesson_id, error) ||
      !check_student (self, student_id, error) ||
      !check_policy (self, &ctx, ZH_EDIT_SET_ABSENCE_REASON, ctx.lesson->date, student_id, now,
                     NULL, error) ||
      (!previous_is_reason &&
       !check_policy (self, &ctx, ZH_EDIT_SET_ABSENCE, ctx.lesson->date, student_id, now, NULL,
                      error)))
    return FALSE;

  before = find_attendance (self, lesson_id, student_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* Only the reason given is taken back: a reason or absence changed since stays as it is. */
  if (before == NULL || before->code != reason)
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_STATE,
                   _("The absence of student “%s” in lesson “%s” no longer has the reason you "
                     "gave it: it was changed since, and is left as it is."),
                   student_id, lesson_id);
      return FALSE;
    }
  if (previous == reason)
    return TRUE;

  after = zh_attendance_copy (before);
  after->code = previous;
  g_clear_pointer (&after->entered_by, g_free);
  after->entered_by = g_strdup (ctx.staff->id);
  after->entered_at = now;
  after->received_at = 0;
  return record_edit (self, &zh_attendance_info, after->id, before, after, now, error);
}

/* zh_offline_clear_absence: remove the attendance record of @student_id in @lesson_id. */
gboolean
zh_offline_clear_absence (ZhOffline   *self,
                          const char  *lesson_id,
                          const char  *student_id,
                          gint64       now,
                          GError     **error)
{
  g_auto(EditContext) ctx = { 0 };
  g_autoptr(ZhAttendance) before = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (lesson_id != NULL && student_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!load_lesson (self, &ctx, lesson_id, error) ||
      !check_policy (self, &ctx, ZH_EDIT_CLEAR_ABSENCE, ctx.lesson->date, student_id, now, NULL, error))
    return FALSE;
  before = find_attendance (self, lesson_id, student_id, &local_error);
  if (before == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_NOT_FOUND,
                     _("No absence of student “%s” is recorded in lesson “%s”."), student_id, lesson_id);
      return FALSE;
    }
  return record_edit (self, &zh_attendance_info, before->id, before, NULL, now, error);
}

/* The plan item (КТП) of @lesson's group whose topic is @topic, in @plan_item_id (NULL when the
 * topic is none of the plan's): the first by number whose hours the group's other lessons have
 * not all taken yet, else the lowest number — a topic the plan repeats goes to its next turn. */
static gboolean
find_plan_item (ZhOffline       *self,
                const ZhLesson  *lesson,
                const char      *topic,
                char           **plan_item_id,
                GError         **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (self->store,
                                         "SELECT p.id FROM plan_item p WHERE p.group_id = ?1 "
                                         "AND p.topic = ?2 ORDER BY (SELECT count (*) FROM lesson l "
                                         "WHERE l.plan_item_id = p.id AND l.id <> ?3) >= p.hours, "
                                         "p.number LIMIT 1", error);
  int rc;

  *plan_item_id = NULL;
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, lesson->group_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, topic, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, lesson->id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *plan_item_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return zh_store_set_error (self->store, rc, "plan_item", error);
  return TRUE;
}

/* zh_offline_set_topic: write the topic of @lesson_id (001 §5.4, 002 §5.2); a topic of the
 * group's plan (КТП) links the lesson to that plan item, any other text unlinks it, so the hours
 * given can be set against the plan (REQUIREMENTS §6). */
gboolean
zh_offline_set_topic (ZhOffline   *self,
                      const char  *lesson_id,
                      const char  *topic,
                      gint64       now,
                      GError     **error)
{
  g_auto(EditContext) ctx = { 0 };
  g_autoptr(ZhLesson) after = NULL;
  g_autofree char *plan_item_id = NULL;

  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (lesson_id != NULL && topic != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!load_lesson (self, &ctx, lesson_id, error) ||
      !check_policy (self, &ctx, ZH_EDIT_SET_TOPIC, ctx.lesson->date, NULL, now, NULL, error) ||
      !find_plan_item (self, ctx.lesson, topic, &plan_item_id, error))
    return FALSE;
  after = zh_lesson_copy (ctx.lesson);
  g_free (after->topic);
  after->topic = g_strdup (topic);
  after->topic_entered_at = now;
  g_free (after->plan_item_id);
  after->plan_item_id = g_steal_pointer (&plan_item_id);
  g_free (after->entered_by);
  after->entered_by = g_strdup (ctx.staff->id);
  after->received_at = 0;
  return record_edit (self, &zh_lesson_info, after->id, ctx.lesson, after, now, error);
}

/* zh_offline_set_homework: write the homework of @lesson_id (000 §4.2.2; 002 §5.2 forbids adding
 * it to a lesson already past). */
gboolean
zh_offline_set_homework (ZhOffline   *self,
                         const char  *lesson_id,
                         const char  *homework,
                         gint64       now,
                         GError     **error)
{
  g_auto(EditContext) ctx = { 0 };
  g_autoptr(ZhLesson) after = NULL;
  ZhEditRequest extra = { 0 };

  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (lesson_id != NULL && homework != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!load_lesson (self, &ctx, lesson_id, error))
    return FALSE;
  extra.has_homework = ctx.lesson->homework != NULL && ctx.lesson->homework[0] != '\0';
  if (!check_policy (self, &ctx, ZH_EDIT_SET_HOMEWORK, ctx.lesson->date, NULL, now, &extra, error))
    return FALSE;
  after = zh_lesson_copy (ctx.lesson);
  g_free (after->homework);
  after->homework = g_strdup (homework);
  after->homework_entered_at = now;
  g_free (after->entered_by);
  after->entered_by = g_strdup (ctx.staff->id);
  after->received_at = 0;
  return record_edit (self, &zh_lesson_info, after->id, ctx.lesson, after, now, error);
}

/* zh_offline_add_lesson: add a lesson of @group_id on @date as lesson @number of the day, taught
 * by the group's teacher (001 §5.3); its id is returned in @lesson_id if asked for. */
gboolean
zh_offline_add_lesson (ZhOffline     *self,
                       const char    *group_id,
                       const char    *date,
                       int            number,
                       ZhLessonKind   kind,
                       gint64         now,
                       char         **lesson_id,
                       GError       **error)
{
  g_auto(EditContext) ctx = { 0 };
  g_autoptr(ZhLesson) lesson = NULL;
  g_autoptr(GDateTime) start = NULL;

  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (group_id != NULL && date != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!zh_date_is_valid (date))
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_INVALID,
                   _("“%s” is not a date (YYYY-MM-DD) for the new lesson."), date);
      return FALSE;
    }
  if (!load_staff (self, &ctx, error) ||
      !load_group (self, &ctx, group_id, error) ||
      !check_policy (self, &ctx, ZH_EDIT_SET_LESSON, date, NULL, now, NULL, error))
    return FALSE;
  /* The lesson number must be on the school's bell schedule. */
  start = zh_policy_lesson_start (ctx.policy, date, number, error);
  if (start == NULL)
    return FALSE;

  lesson = zh_lesson_new ();
  lesson->id = zh_uuid_new ();
  lesson->group_id = g_strdup (group_id);
  lesson->date = g_strdup (date);
  lesson->number = number;
  lesson->kind = kind;
  lesson->topic = g_strdup ("");
  lesson->homework = g_strdup ("");
  lesson->teacher_id = g_strdup (ctx.group->teacher_id != NULL ? ctx.group->teacher_id : ctx.staff->id);
  /* A substitution is arranged by the administration on an existing lesson (002 §5.4). */
  lesson->substitute = FALSE;
  lesson->entered_by = g_strdup (ctx.staff->id);

  if (!record_edit (self, &zh_lesson_info, lesson->id, NULL, lesson, now, error))
    return FALSE;
  if (lesson_id != NULL)
    *lesson_id = g_strdup (lesson->id);
  return TRUE;
}

/* The active period mark of @student_id in @group_id of @kind (and @period_id for a period's
 * mark), or NULL (no error) when there is none. */
static ZhPeriodMark *
find_period_mark (ZhOffline         *self,
                  const char        *group_id,
                  const char        *student_id,
                  ZhPeriodMarkKind   kind,
                  const char        *period_id,
                  GError           **error)
{
  g_autofree char *select = zh_entity_sql_select (&zh_period_mark_info);
  g_autofree char *sql = g_strconcat (select, " WHERE group_id = ?1 AND student_id = ?2 "
                                      "AND kind = ?3 AND period_id IS ?4 AND state = 'active' "
                                      "ORDER BY entered_at DESC LIMIT 1", NULL);
  sqlite3_stmt *stmt = zh_store_prepare (self->store, sql, error);
  ZhPeriodMark *row = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, group_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, student_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, zh_enum_to_nick (ZH_TYPE_PERIOD_MARK_KIND, kind), -1, SQLITE_STATIC);
  if (period_id != NULL)
    sqlite3_bind_text (stmt, 4, period_id, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 4);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    row = zh_entity_from_stmt (&zh_period_mark_info, stmt, 0, error);
  else if (rc != SQLITE_DONE)
    zh_store_set_error (self->store, rc, "period_mark", error);
  sqlite3_reset (stmt);
  return row;
}

/* The last day a period mark of @kind belongs to, as the service judges it: the period's end for
 * a period's mark (which must be a period of the group's year), the year's end for the year, ГИА
 * and Итог. */
static char *
period_mark_date (ZhOffline         *self,
                  EditContext       *ctx,
                  ZhPeriodMarkKind   kind,
                  const char        *period_id,
                  GError           **error)
{
  g_autoptr(ZhPeriod) period = NULL;

  if ((kind == ZH_PERIOD_MARK_KIND_PERIOD) != (period_id != NULL))
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_INVALID, "%s",
                   kind == ZH_PERIOD_MARK_KIND_PERIOD
                   ? _("A period mark needs the period it is given for.")
                   : _("A year, state exam or final mark is given for the whole year, not for "
                       "one period."));
      return NULL;
    }
  if (kind != ZH_PERIOD_MARK_KIND_PERIOD)
    return g_strdup (ctx->year->ends);
  if ((period = get_row (self, &zh_period_info, period_id, error)) == NULL)
    return NULL;
  if (g_strcmp0 (period->year_id, ctx->year->id) != 0)
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_INVALID,
                   _("The period “%s” is not a period of the year of group “%s”."), period_id,
                   ctx->group->id);
      return NULL;
    }
  return g_strdup (period->ends);
}

/* zh_offline_set_period_mark: give @student_id the period mark @value of @kind in @group_id (for
 * @period_id when @kind is ZH_PERIOD_MARK_KIND_PERIOD, else NULL) — 000 §4.2.4, §7. The school's
 * policy decides first: the group's own teacher, within the period-mark window, a value of the
 * scale allowed as a period mark; a mark already given is replaced only within the undo grace,
 * later it is a correction of the administration (002 §7). A replacement keeps the row's id. */
gboolean
zh_offline_set_period_mark (ZhOffline         *self,
                            const char        *group_id,
                            const char        *student_id,
                            ZhPeriodMarkKind   kind,
                            const char        *period_id,
                            const char        *value,
                            gint64             now,
                            GError           **error)
{
  g_auto(EditContext) ctx = { 0 };
  g_autoptr(ZhPeriodMark) before = NULL;
  g_autoptr(ZhPeriodMark) after = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *date = NULL;
  ZhEditRequest extra = { 0 };

  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (group_id != NULL && student_id != NULL && value != NULL, FALSE);
  g_return_val_if_fail ((guint) kind <= ZH_PERIOD_MARK_KIND_FINAL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!load_staff (self, &ctx, error) ||
      !load_group (self, &ctx, group_id, error) ||
      !check_student (self, student_id, error) ||
      (date = period_mark_date (self, &ctx, kind, period_id, error)) == NULL)
    return FALSE;

  before = find_period_mark (self, group_id, student_id, kind, period_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* The same mark again changes nothing, so it needs no permission. */
  if (before != NULL && g_strcmp0 (before->value, value) == 0)
    return TRUE;
  if (before != NULL)
    {
      extra.replaces_mark = TRUE;
      extra.own_mark = g_strcmp0 (before->entered_by, ctx.staff->id) == 0;
      extra.mark_entered_at = before->entered_at;
    }
  if (!check_policy (self, &ctx, ZH_EDIT_SET_PERIOD_MARK, date, NULL, now, &extra, error) ||
      !zh_policy_check_mark_value (ctx.policy, value, TRUE, error))
    return FALSE;

  if (before != NULL)
    after = zh_period_mark_copy (before);
  else
    {
      after = zh_period_mark_new ();
      after->id = zh_uuid_new ();
      after->student_id = g_strdup (student_id);
      after->group_id = g_strdup (group_id);
      after->kind = kind;
      after->period_id = g_strdup (period_id);
      after->state = ZH_MARK_STATE_ACTIVE;
    }
  g_free (after->value);
  after->value = g_strdup (value);
  g_free (after->entered_by);
  after->entered_by = g_strdup (ctx.staff->id);
  after->entered_at = now;
  after->received_at = 0;

  return record_edit (self, &zh_period_mark_info, after->id, before, after, now, error);
}

/* ---- the account ---------------------------------------------------------------------------- */

/* zh_offline_set_account: remember that the copy belongs to @staff at @server_url (after a
 * sign-in), and keep the staff row the sign-in returned so edits work before the first sync. */
gboolean
zh_offline_set_account (ZhOffline      *self,
                        const char     *server_url,
                        const ZhStaff  *staff,
                        GError        **error)
{
  g_autoptr(ZhStaff) stored = NULL;
  g_autoptr(ZhSchool) school = NULL;
  gboolean has_ops = FALSE;

  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (staff != NULL && staff->id != NULL && staff->school_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!zh_store_lock (self->store, error))
    return FALSE;
  if ((server_url != NULL && !zh_store_set_meta (self->store, META_SERVER_URL, server_url, error)) ||
      (staff->login != NULL && !zh_store_set_meta (self->store, META_LOGIN, staff->login, error)) ||
      !zh_store_set_meta (self->store, META_STAFF_ID, staff->id, error) ||
      !row_has_ops (self->store, &zh_staff_info, staff->id, &has_ops, error))
    goto failed;
  stored = zh_store_get_entity (self->store, &zh_staff_info, staff->id, NULL);
  school = zh_store_get_entity (self->store, &zh_school_info, staff->school_id, NULL);
  /* A copy not synced yet lacks the school the row refers to; the first sync brings both. */
  if (!has_ops && school != NULL && (stored == NULL || stored->rev < staff->rev) &&
      !zh_store_put_entity (self->store, &zh_staff_info, staff, error))
    goto failed;
  return zh_store_unlock (self->store, ZH_STORE_UNLOCK_COMMIT, error);

failed:
  zh_store_unlock (self->store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
  return FALSE;
}

/* ---- the outbox ----------------------------------------------------------------------------- */

/* zh_offline_count: how many operations of the outbox are in @state. */
guint
zh_offline_count (ZhOffline      *self,
                  ZhOutboxState   state)
{
  sqlite3_stmt *stmt;
  guint count = 0;

  g_return_val_if_fail (ZH_IS_OFFLINE (self), 0);

  stmt = zh_store_prepare (self->store, "SELECT count (*) FROM outbox WHERE state = ?1", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, zh_enum_to_nick (ZH_TYPE_OUTBOX_STATE, state), -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return count;
}

#define ENTRY_COLUMNS "seq, op_id, entity, entity_id, action, value, base_rev, entered_at, state, " \
                      "reason_code, reason_message, server_value, attempts, correction"

static ZhOutboxEntry *
entry_from_stmt (sqlite3_stmt *stmt)
{
  ZhOutboxEntry *entry = g_new0 (ZhOutboxEntry, 1);
  int value = 0;

  entry->seq = sqlite3_column_int64 (stmt, 0);
  entry->op_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  entry->info = zh_entity_info_lookup ((const char *) sqlite3_column_text (stmt, 2));
  entry->entity_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  zh_enum_from_nick (ZH_TYPE_OP_ACTION, (const char *) sqlite3_column_text (stmt, 4), &value);
  entry->action = value;
  entry->value = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  entry->base_rev = sqlite3_column_int64 (stmt, 6);
  entry->entered_at = sqlite3_column_int64 (stmt, 7);
  zh_enum_from_nick (ZH_TYPE_OUTBOX_STATE, (const char *) sqlite3_column_text (stmt, 8), &value);
  entry->state = value;
  entry->reason_code = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
  entry->reason_message = g_strdup ((const char *) sqlite3_column_text (stmt, 10));
  entry->server_value = g_strdup ((const char *) sqlite3_column_text (stmt, 11));
  entry->attempts = sqlite3_column_int64 (stmt, 12);
  entry->correction = g_strdup ((const char *) sqlite3_column_text (stmt, 13));
  return entry;
}

/* zh_offline_list_outbox: (transfer container): the operations in @state (ZhOutboxEntry *), oldest
 * first — for showing what waits, what was refused and why, and what conflicts. */
GPtrArray *
zh_offline_list_outbox (ZhOffline      *self,
                        ZhOutboxState   state,
                        GError        **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) zh_outbox_entry_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (ZH_IS_OFFLINE (self), NULL);

  stmt = zh_store_prepare (self->store, "SELECT " ENTRY_COLUMNS " FROM outbox WHERE state = ?1 "
                                        "ORDER BY seq", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, zh_enum_to_nick (ZH_TYPE_OUTBOX_STATE, state), -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (entries, entry_from_stmt (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      zh_store_set_error (self->store, rc, "outbox", error);
      return NULL;
    }
  return g_steal_pointer (&entries);
}

static ZhOutboxEntry *
get_entry (ZhStore     *store,
           const char  *op_id,
           GError     **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, "SELECT " ENTRY_COLUMNS " FROM outbox WHERE op_id = ?1",
                                         error);
  ZhOutboxEntry *entry = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, op_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    entry = entry_from_stmt (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_NOT_FOUND,
                 _("The outbox has no operation “%s”."), op_id);
  else if (rc != SQLITE_ROW)
    zh_store_set_error (store, rc, "outbox", error);
  return entry;
}

/* Whether an operation after @seq exists on the same row. */
static gboolean
next_op (ZhStore        *store,
         ZhOutboxEntry  *entry,
         gint64         *next_seq,
         GError        **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, "SELECT seq FROM outbox WHERE entity = ?1 AND "
                                                "entity_id = ?2 AND seq > ?3 ORDER BY seq LIMIT 1",
                                         error);
  int rc;

  *next_seq = 0;
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, entry->info->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, entry->entity_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, entry->seq);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *next_seq = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return zh_store_set_error (store, rc, "outbox", error);
  return TRUE;
}

/* After the latest operation of a row went: show the one before it, or the service's row. */
static gboolean
settle_row (ZhStore             *store,
            const ZhEntityInfo  *info,
            const char          *id,
            GError             **error)
{
  gboolean has_ops = FALSE;

  if (!row_has_ops (store, info, id, &has_ops, error))
    return FALSE;
  if (has_ops)
    return show_latest_op (store, info, id, error);
  return show_service_row (store, info, id, error);
}

/* zh_offline_discard: drop the rejected operation @op_id. The row then shows the user's later
 * edit of it if there is one, else the service's version. */
gboolean
zh_offline_discard (ZhOffline   *self,
                    const char  *op_id,
                    GError     **error)
{
  g_autoptr(ZhOutboxEntry) entry = NULL;
  gint64 next_seq = 0;

  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (op_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!zh_store_lock (self->store, error))
    return FALSE;
  entry = get_entry (self->store, op_id, error);
  if (entry == NULL)
    goto failed;
  if (entry->state != ZH_OUTBOX_REJECTED)
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_STATE,
                   _("The operation “%s” was not refused by the service, so it cannot be discarded."),
                   op_id);
      goto failed;
    }
  /* The row shows its latest edit; only when that is the one discarded does the display change. */
  if (!next_op (self->store, entry, &next_seq, error) ||
      !delete_op (self->store, entry->seq, error) ||
      !drop_replacement (self->store, entry, error) ||
      (next_seq == 0 && !settle_row (self->store, entry->info, entry->entity_id, error)))
    goto failed;
  if (!zh_store_unlock (self->store, ZH_STORE_UNLOCK_COMMIT, error))
    return FALSE;
  _zh_offline_emit_changed (self);
  return TRUE;

failed:
  zh_store_unlock (self->store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
  return FALSE;
}

/* zh_offline_resolve: settle the conflict of @op_id. KEEP_MINE sends the user's row again as a new
 * operation over the service's current rev; TAKE_THEIRS drops the user's edits of the row (this
 * operation and those after it) and shows the service's row. */
gboolean
zh_offline_resolve (ZhOffline     *self,
                    const char    *op_id,
                    ZhResolution   resolution,
                    GError       **error)
{
  g_autoptr(ZhOutboxEntry) entry = NULL;
  Shadow shadow = { 0 };
  sqlite3_stmt *stmt;

  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (op_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!zh_store_lock (self->store, error))
    return FALSE;
  entry = get_entry (self->store, op_id, error);
  if (entry == NULL)
    goto failed;
  if (entry->state != ZH_OUTBOX_CONFLICT)
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_STATE,
                   _("The operation “%s” is not in conflict with the service."), op_id);
      goto failed;
    }
  if (!shadow_get (self->store, entry->info, entry->entity_id, &shadow, error))
    goto failed;

  if (resolution == ZH_RESOLVE_TAKE_THEIRS ||
      (entry->action == ZH_OP_ACTION_DELETE && shadow.found && shadow.deleted))
    {
      /* Theirs; or mine is a deletion of a row the service deleted too: nothing to send. */
      stmt = zh_store_prepare (self->store, "DELETE FROM outbox WHERE entity = ?1 AND entity_id = ?2 "
                                            "AND seq >= ?3", error);
      if (stmt == NULL)
        goto failed;
      sqlite3_bind_text (stmt, 1, entry->info->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, entry->entity_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, entry->seq);
      if (!zh_store_step_done (self->store, stmt, error) ||
          !drop_replacement (self->store, entry, error) ||
          !show_service_row (self->store, entry->info, entry->entity_id, error))
        goto failed;
    }
  else
    {
      g_autofree char *new_op_id = zh_uuid_new ();
      gint64 base_rev = shadow.found && !shadow.deleted ? shadow.rev : 0;

      /* A new op_id: the service remembers its answer to the old one and would repeat it. */
      stmt = zh_store_prepare (self->store, "UPDATE outbox SET op_id = ?2, state = 'pending', "
                                            "base_rev = ?3, attempts = 0, reason_code = NULL, "
                                            "reason_message = NULL, server_value = NULL "
                                            "WHERE seq = ?1", error);
      if (stmt == NULL)
        goto failed;
      sqlite3_bind_int64 (stmt, 1, entry->seq);
      sqlite3_bind_text (stmt, 2, new_op_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, base_rev);
      if (!zh_store_step_done (self->store, stmt, error))
        goto failed;
    }

  shadow_clear (&shadow);
  if (!zh_store_unlock (self->store, ZH_STORE_UNLOCK_COMMIT, error))
    return FALSE;
  _zh_offline_emit_changed (self);
  return TRUE;

failed:
  shadow_clear (&shadow);
  zh_store_unlock (self->store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
  return FALSE;
}

/* ---- pushing -------------------------------------------------------------------------------- */

/* _zh_offline_take_batch: (transfer container): up to @max_operations operations ready to send
 * (ZhOperation *), oldest first. An operation is ready when it is pending and no earlier operation
 * of its row is pending or in conflict: its base_rev is then final. Each is counted as sent in a
 * committed transaction before it leaves, so it is never replaced in place afterwards. */
GPtrArray *
_zh_offline_take_batch (ZhOffline  *self,
                        guint       max_operations,
                        GError    **error)
{
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) zh_operation_free);
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (ZH_IS_OFFLINE (self), NULL);

  if (!zh_store_lock (self->store, error))
    return NULL;
  stmt = zh_store_prepare (self->store,
                           "SELECT o.seq, o.op_id, o.entity, o.entity_id, o.action, o.value, o.base_rev, "
                           "o.correction FROM outbox o WHERE o.state = 'pending' AND NOT EXISTS (SELECT 1 FROM "
                           "outbox p WHERE p.entity = o.entity AND p.entity_id = o.entity_id AND "
                           "p.seq < o.seq AND p.state IN ('pending', 'conflict')) "
                           "ORDER BY o.seq LIMIT ?1", error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, max_operations);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ZhOperation *op = zh_operation_new ();
      gint64 seq = sqlite3_column_int64 (stmt, 0);
      int action = 0;

      op->op_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      op->info = zh_entity_info_lookup ((const char *) sqlite3_column_text (stmt, 2));
      op->id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      zh_enum_from_nick (ZH_TYPE_OP_ACTION, (const char *) sqlite3_column_text (stmt, 4), &action);
      op->action = action;
      if (op->action != ZH_OP_ACTION_DELETE)
        op->value = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      op->base_rev = sqlite3_column_int64 (stmt, 6);
      if (op->action == ZH_OP_ACTION_CORRECT)
        op->correction = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
      if (op->info == NULL)
        {
          zh_operation_free (op);
          continue;
        }
      g_ptr_array_add (ops, op);
      g_array_append_val (seqs, seq);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      zh_store_set_error (self->store, rc, "outbox", error);
      goto failed;
    }

  stmt = zh_store_prepare (self->store, "UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?1", error);
  if (stmt == NULL)
    goto failed;
  for (guint i = 0; i < seqs->len; i++)
    {
      sqlite3_bind_int64 (stmt, 1, g_array_index (seqs, gint64, i));
      if (!zh_store_step_done (self->store, stmt, error))
        goto failed;
    }
  if (!zh_store_unlock (self->store, ZH_STORE_UNLOCK_COMMIT, error))
    return NULL;
  return g_steal_pointer (&ops);

failed:
  zh_store_unlock (self->store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
  return NULL;
}

static gboolean
set_base_rev (ZhStore  *store,
              gint64    seq,
              gint64    base_rev,
              GError  **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, "UPDATE outbox SET base_rev = ?2 WHERE seq = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_int64 (stmt, 2, base_rev);
  return zh_store_step_done (store, stmt, error);
}

/* The service applied @entry as rev @rev: it leaves the outbox; its value at @rev is the service's
 * version now (unless a newer one was pulled meanwhile), and the next operation of the row builds
 * on @rev. */
static gboolean
record_applied (ZhStore        *store,
                ZhOutboxEntry  *entry,
                gint64          rev,
                GError        **error)
{
  Shadow shadow;
  gint64 next_seq;
  gboolean ok = TRUE;

  if (!next_op (store, entry, &next_seq, error) ||
      !shadow_get (store, entry->info, entry->entity_id, &shadow, error))
    return FALSE;

  if (!shadow.found || shadow.rev < rev)
    {
      g_autofree char *value = NULL;

      if (entry->action != ZH_OP_ACTION_DELETE)
        {
          /* A correction's value is the new mark; the row it changed is the old one, struck out. */
          gpointer entity = entry->action == ZH_OP_ACTION_CORRECT
                            ? zh_store_get_entity (store, entry->info, entry->entity_id, error)
                            : zh_entity_from_string (entry->info, entry->value, -1, error);

          if (entity == NULL)
            ok = FALSE;
          else
            {
              ((ZhEntity *) entity)->rev = rev;
              value = zh_entity_to_string (entry->info, entity);
              zh_entity_free (entry->info, entity);
            }
        }
      ok = ok && shadow_put (store, entry->info, entry->entity_id, rev, value, error);
    }
  shadow_clear (&shadow);

  if (!ok || !delete_op (store, entry->seq, error))
    return FALSE;
  if (next_seq != 0)
    return set_base_rev (store, next_seq, rev, error) &&
           set_row_rev (store, entry->info, entry->entity_id, rev, error);
  /* The newest edit of the row is on the service now: show the service's row (older refused
   * edits stay listed, not shown). */
  return show_service_row (store, entry->info, entry->entity_id, error);
}

static gboolean
record_rejected (ZhStore        *store,
                 ZhOutboxEntry  *entry,
                 ZhOpResult     *result,
                 GError        **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, "UPDATE outbox SET state = 'rejected', reason_code = ?2, "
                                                "reason_message = ?3 WHERE seq = ?1", error);
  g_autofree char *message = NULL;
  gint64 next_seq;

  if (stmt == NULL)
    return FALSE;
  message = result->field != NULL ? g_strdup_printf ("%s (%s)", result->message, result->field)
                                  : g_strdup (result->message);
  sqlite3_bind_int64 (stmt, 1, entry->seq);
  sqlite3_bind_text (stmt, 2, result->code, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, message, -1, SQLITE_TRANSIENT);
  if (!zh_store_step_done (store, stmt, error) ||
      !next_op (store, entry, &next_seq, error))
    return FALSE;
  /* Nothing was written: the next edit of the row builds on the same rev as this one did. */
  return next_seq == 0 || set_base_rev (store, next_seq, entry->base_rev, error);
}

static gboolean
record_conflict (ZhStore        *store,
                 ZhOutboxEntry  *entry,
                 ZhOpResult     *result,
                 GError        **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, "UPDATE outbox SET state = 'conflict', server_value = ?2 "
                                                "WHERE seq = ?1", error);
  Shadow shadow;
  gboolean ok = TRUE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entry->seq);
  if (result->current != NULL)
    sqlite3_bind_text (stmt, 2, result->current, -1, SQLITE_TRANSIENT);
  if (!zh_store_step_done (store, stmt, error) ||
      !shadow_get (store, entry->info, entry->entity_id, &shadow, error))
    return FALSE;

  /* The service's row in the answer is its version now, unless a newer one was pulled. */
  if (result->current != NULL)
    {
      gpointer current = zh_entity_from_string (entry->info, result->current, -1, error);

      if (current == NULL)
        ok = FALSE;
      else
        {
          gint64 rev = ((ZhEntity *) current)->rev;

          if (!shadow.found || shadow.rev < rev)
            ok = shadow_put (store, entry->info, entry->entity_id, rev, result->current, error);
          zh_entity_free (entry->info, current);
        }
    }
  else
    ok = shadow_put (store, entry->info, entry->entity_id, shadow.found ? shadow.rev : entry->base_rev,
                     NULL, error);
  shadow_clear (&shadow);
  return ok;
}

/* _zh_offline_apply_results: record the service's @results to @operations (as sent) in one
 * transaction: applied operations leave the outbox, rejected ones keep their reason, conflicts
 * keep the service's row. */
gboolean
_zh_offline_apply_results (ZhOffline  *self,
                           GPtrArray  *operations,
                           GPtrArray  *results,
                           GError    **error)
{
  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);
  g_return_val_if_fail (operations != NULL && results != NULL, FALSE);
  g_return_val_if_fail (operations->len == results->len, FALSE);

  if (!zh_store_lock (self->store, error))
    return FALSE;
  for (guint i = 0; i < results->len; i++)
    {
      ZhOpResult *result = results->pdata[i];
      g_autoptr(ZhOutboxEntry) entry = NULL;
      g_autoptr(GError) local_error = NULL;
      gboolean ok = FALSE;

      entry = get_entry (self->store, result->op_id, &local_error);
      if (entry == NULL)
        {
          if (!g_error_matches (local_error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_NOT_FOUND))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              goto failed;
            }
          continue;
        }
      if (entry->state != ZH_OUTBOX_PENDING || entry->info == NULL)
        continue;

      switch (result->status)
        {
        case ZH_OP_STATUS_APPLIED:
          ok = record_applied (self->store, entry, result->rev, error);
          break;
        case ZH_OP_STATUS_REJECTED:
          ok = record_rejected (self->store, entry, result, error);
          break;
        case ZH_OP_STATUS_CONFLICT:
          ok = record_conflict (self->store, entry, result, error);
          break;
        default:
          g_assert_not_reached ();
        }
      if (!ok)
        goto failed;
    }
  if (!zh_store_unlock (self->store, ZH_STORE_UNLOCK_COMMIT, error))
    return FALSE;
  _zh_offline_emit_changed (self);
  return TRUE;

failed:
  zh_store_unlock (self->store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
  return FALSE;
}

/* ---- pulling -------------------------------------------------------------------------------- */

/* The writer's commits add frames to the WAL; it does not copy them back into the database itself
 * (SQLite's automatic checkpoint would, at the commit, on the writer's thread): ZhSync runs the
 * checkpoints on another connection in another thread while the writer goes on with the next page
 * (_zh_offline_checkpoint). The hook keeps the WAL's size for it. */
static int
writer_wal_hook (void       *data,
                 sqlite3    *db,
                 const char *name,
                 int         n_frames)
{
  g_atomic_int_set ((gint *) data, n_frames);
  return SQLITE_OK;
}

/* _zh_offline_open_writer: (transfer full): a second connection to the copy for applying pages
 * of the changes feed in a worker thread. Foreign keys are off on it: the feed may send a row
 * before the row it refers to (docs/api.md); the references are checked when the feed is done.
 * Commits are NORMAL-synchronous: a power cut may lose the last pages, and with them the cursor
 * that pointed past them, so they are simply pulled again. It never checkpoints: see
 * writer_wal_hook. */
ZhStore *
_zh_offline_open_writer (const char  *path,
                         GError     **error)
{
  g_autoptr(ZhStore) store = zh_store_open (path, ZH_STORE_FLAGS_NO_CREATE, error);
  gint *frames;

  if (store == NULL ||
      !zh_store_exec (store, "PRAGMA foreign_keys = OFF; PRAGMA synchronous = NORMAL; "
                             "PRAGMA cache_size = -32768", error))
    return NULL;
  frames = g_new0 (gint, 1);
  g_object_set_data_full (G_OBJECT (store), "zh-wal-frames", frames, g_free);
  sqlite3_wal_hook (zh_store_get_db (store), writer_wal_hook, frames);
  return g_steal_pointer (&store);
}

/* _zh_offline_writer_wal_frames: the frames in the WAL after the writer's last commit (any
 * thread). */
guint
_zh_offline_writer_wal_frames (ZhStore *writer)
{
  gint *frames = g_object_get_data (G_OBJECT (writer), "zh-wal-frames");

  g_return_val_if_fail (frames != NULL, 0);
  return (guint) g_atomic_int_get (frames);
}

/* _zh_offline_checkpoint: copy the WAL's committed frames into the database through @store, a
 * connection of its own, without waiting for readers or the writer (a passive checkpoint). */
gboolean
_zh_offline_checkpoint (ZhStore  *store,
                        GError  **error)
{
  int rc = sqlite3_wal_checkpoint_v2 (zh_store_get_db (store), NULL, SQLITE_CHECKPOINT_PASSIVE,
                                      NULL, NULL);

  if (rc != SQLITE_OK && rc != SQLITE_BUSY)
    return zh_store_set_error (store, rc, "checkpoint", error);
  return TRUE;
}

static const ZhEntityInfo *
info_for_table (const char *table)
{
  for (guint i = 0; zh_entities[i] != NULL; i++)
    if (g_strcmp0 (zh_entities[i]->table, table) == 0)
      return zh_entities[i];
  return NULL;
}

/* _zh_offline_count_dangling: count the rows that refer to rows missing from the copy, leaving
 * out rows with local edits (their parent may have been deleted by the service meanwhile: the
 * edit will be refused). It only reads: ZhSync runs it on a connection of its own when the feed
 * is done, while the writer builds the indexes a first sync deferred. */
gboolean
_zh_offline_count_dangling (ZhStore  *store,
                            guint    *n_dangling,
                            GError  **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (ZH_IS_STORE (store), FALSE);
  g_return_val_if_fail (n_dangling != NULL, FALSE);

  *n_dangling = 0;
  rc = sqlite3_prepare_v2 (zh_store_get_db (store), "PRAGMA foreign_key_check", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return zh_store_set_error (store, rc, "foreign_key_check", error);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (found, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      g_ptr_array_add (found, g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 1)));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return zh_store_set_error (store, rc, "foreign_key_check", error);

  for (guint i = 0; i < found->len; i += 2)
    {
      const ZhEntityInfo *info = info_for_table (found->pdata[i]);
      g_autoptr(GString) sql = g_string_new ("SELECT 1 FROM outbox o, ");
      gboolean has = FALSE;

      if (info == NULL)
        continue;
      append_identifier (sql, info->table);
      g_string_append (sql, " t WHERE t.rowid = ?2 AND o.entity = ?1 AND o.entity_id = t.id");
      stmt = zh_store_prepare (store, sql->str, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, info->name, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, g_ascii_strtoll (found->pdata[i + 1], NULL, 10));
      if (!step_exists (store, stmt, &has, error))
        return FALSE;
      if (!has)
        {
          g_debug ("%s row %s refers to a row missing from the copy", info->name,
                   (const char *) found->pdata[i + 1]);
          (*n_dangling)++;
        }
    }
  return TRUE;
}

/* The upsert statements of a page, one per entity of zh_entities[], looked up once per page
 * rather than once per row (zh_store_prepare hashes the statement's text). */
#define N_PAGE_UPSERTS 32

static sqlite3_stmt *
page_upsert (sqlite3_stmt       **upserts,
             ZhStore             *store,
             const ZhEntityInfo  *info,
             GError             **error)
{
  guint i = 0;

  while (zh_entities[i] != NULL && zh_entities[i] != info)
    i++;
  g_assert (zh_entities[i] != NULL && i < N_PAGE_UPSERTS);
  if (upserts[i] == NULL)
    upserts[i] = zh_store_prepare (store, zh_entity_sql_upsert (info), error);
  return upserts[i];
}

/* The page's rows are freed after it: no statement may keep pointers to their text. */
static void
clear_page_upserts (sqlite3_stmt **upserts)
{
  for (guint i = 0; i < N_PAGE_UPSERTS; i++)
    if (upserts[i] != NULL)
      {
        sqlite3_clear_bindings (upserts[i]);
        upserts[i] = NULL;
      }
}


/* The first sync of a whole school writes millions of rows. Inserting each into the secondary
 * indexes of its table (a mark into mark_lesson and mark_student, at random places once they
 * outgrow the cache) cost more than the rows themselves; building an index once over the loaded
 * table sorts instead. So the first page of a first sync drops the copy's plain secondary indexes
 * of the entity tables, keeping their SQL in the meta key below, in the page's own transaction;
 * the end of the sync, finished or not, builds them again in a transaction of their own
 * (_zh_offline_restore_indexes). Unique indexes stay: the feed's clash handling relies on them. A
 * crash in between leaves the key, so the end of the next sync builds them. */
#define META_DEFERRED_INDEXES "deferred_indexes"

static gboolean
defer_indexes (ZhStore  *store,
               GError  **error)
{
  g_autoptr(GString) tables = g_string_new (NULL);
  g_autoptr(GString) saved = g_string_new (NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  for (guint i = 0; zh_entities[i] != NULL; i++)
    g_string_append_printf (tables, "%s'%s'", i > 0 ? ", " : "", zh_entities[i]->table);
  sql = g_strdup_printf ("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT "
                         "NULL AND sql NOT LIKE 'CREATE UNIQUE%%' AND tbl_name IN (%s) "
                         "ORDER BY name", tables->str);
  rc = sqlite3_prepare_v2 (zh_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return zh_store_set_error (store, rc, "list indexes", error);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      g_string_append_printf (saved, "%s;\n", (const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return zh_store_set_error (store, rc, "list indexes", error);
  if (names->len == 0)
    return TRUE;
  if (!zh_store_set_meta (store, META_DEFERRED_INDEXES, saved->str, error))
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *drop = g_strdup_printf ("DROP INDEX \"%s\"", (char *) names->pdata[i]);

      if (!zh_store_exec (store, drop, error))
        return FALSE;
    }
  return TRUE;
}

/* Build the indexes defer_indexes() dropped, if it did; inside the caller's transaction. */
static gboolean
build_deferred_indexes (ZhStore  *store,
                        GError  **error)
{
  g_autofree char *saved = zh_store_dup_meta (store, META_DEFERRED_INDEXES);

  if (saved == NULL)
    return TRUE;
  /* An index build sorts in memory up to the page cache's size, on top of the cache itself: with
   * the writer's 64 MiB the client peaked at 180 MB. A smaller cache for the build spills the sort
   * to a temporary file instead. */
  return zh_store_exec (store, "PRAGMA cache_size = -16384", error) &&
         zh_store_exec (store, saved, error) &&
         zh_store_set_meta (store, META_DEFERRED_INDEXES, NULL, error) &&
         zh_store_exec (store, "PRAGMA cache_size = -32768", error);
}

/* _zh_offline_has_deferred_indexes: whether a first sync dropped indexes that are not built yet. */
gboolean
_zh_offline_has_deferred_indexes (ZhOffline *self)
{
  g_autofree char *saved = NULL;

  g_return_val_if_fail (ZH_IS_OFFLINE (self), FALSE);

  saved = zh_store_dup_meta (self->store, META_DEFERRED_INDEXES);
  return saved != NULL;
}

/* _zh_offline_restore_indexes: builds the indexes a first sync deferred, at the end of the sync,
 * after its last page or when it stopped before (offline, cancelled, refused). */
gboolean
_zh_offline_restore_indexes (ZhStore  *store,
                             GError  **error)
{
  g_autofree char *saved = NULL;

  g_return_val_if_fail (ZH_IS_STORE (store), FALSE);

  saved = zh_store_dup_meta (store, META_DEFERRED_INDEXES);
  if (saved == NULL)
    return TRUE;
  if (!zh_store_lock (store, error))
    return FALSE;
  if (!build_deferred_indexes (store, error))
    {
      zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
      return FALSE;
    }
  return zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, error);
}

/* _zh_offline_apply_page: apply @page of the changes feed to the copy through @store (a writer
 * connection) in one transaction that also stores the new cursor. A row with operations in the
 * outbox keeps the user's edit; the service's row waits in its shadow (the display rule). What
 * follows the last page (`more` false) — the deferred indexes, the count of rows that refer to
 * missing rows — is the caller's: _zh_offline_restore_indexes, _zh_offline_count_dangling. */
gboolean
_zh_offline_apply_page (ZhStore         *store,
                        ZhChangesPage   *page,
                        GError         **error)
{
  g_autofree char *cursor = NULL;
  sqlite3_stmt *stmt;
  sqlite3_stmt *upserts[N_PAGE_UPSERTS] = { NULL };
  gboolean has_ops = FALSE;

  g_return_val_if_fail (ZH_IS_STORE (store), FALSE);
  g_return_val_if_fail (page != NULL, FALSE);

  if (!zh_store_lock (store, error))
    return FALSE;

  /* The stored cursor decides: a page fetched for an older cursor (a sync racing another) must
   * not be applied twice or out of order. */
  if (_zh_offline_store_get_cursor (store) != page->since)
    {
      g_set_error (error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_STATE,
                   _("The offline copy “%s” moved on while a page of changes was fetched; the sync "
                     "starts again."), zh_store_get_path (store));
      goto failed;
    }

  stmt = zh_store_prepare (store, "SELECT 1 FROM outbox LIMIT 1", error);
  if (stmt == NULL)
    goto failed;
  if (!step_exists (store, stmt, &has_ops, error))
    goto failed;

  /* The first page of a first sync that has more to come: load without secondary indexes. */
  if (page->since == 0 && page->more && page->changes->len > 0 && !defer_indexes (store, error))
    goto failed;

  for (guint i = 0; i < page->changes->len; i++)
    {
      ZhChange *change = page->changes->pdata[i];
      gboolean row_ops = FALSE;

      if (has_ops && !row_has_ops (store, change->info, change->id, &row_ops, error))
        goto failed;
      if (row_ops)
        {
          Shadow shadow;
          gboolean ok = TRUE;

          if (!shadow_get (store, change->info, change->id, &shadow, error))
            goto failed;
          if (!shadow.found || shadow.rev < change->rev)
            {
              g_autofree char *value = change->deleted ? NULL
                                                       : zh_entity_to_string (change->info, change->value);

              ok = shadow_put (store, change->info, change->id, change->rev, value, error);
            }
          shadow_clear (&shadow);
          if (!ok)
            goto failed;
          continue;
        }
      if (!change->deleted)
        {
          sqlite3_stmt *upsert = page_upsert (upserts, store, change->info, error);
          int rc;

          if (upsert == NULL)
            goto failed;
          /* The common case in one step: the row's text stays bound in place, not copied. */
          zh_entity_bind_static (change->info, change->value, upsert, 1);
          rc = sqlite3_step (upsert);
          sqlite3_reset (upsert);
          if (rc == SQLITE_DONE)
            continue;
          /* A clash on a unique key takes the careful way, which says why. Any other failure
           * ends the page: an interrupted statement (the sync cancelled) has rolled the whole
           * transaction back, and nothing may go on outside it. */
          if ((rc & 0xff) != SQLITE_CONSTRAINT)
            {
              zh_store_set_error (store, rc, "changes", error);
              goto failed;
            }
        }
      if (!apply_server_row (store, change->info, change->id, change->rev,
                             change->deleted ? NULL : change->value, error))
        goto failed;
    }
  clear_page_upserts (upserts);

  /* The cursor moves only with every row of the page: should a statement have failed unseen and
   * SQLite have ended the transaction (as it does on SQLITE_INTERRUPT, SQLITE_FULL, …), the page
   * is not applied and the cursor stays. */
  if (sqlite3_get_autocommit (zh_store_get_db (store)))
    {
      g_set_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_FAILED,
                   _("A page of changes could not be written to the offline copy “%s”; it will be "
                     "fetched again."), zh_store_get_path (store));
      goto failed;
    }
  cursor = g_strdup_printf ("%" G_GINT64_FORMAT, page->next);
  if (!zh_store_set_meta (store, ZH_OFFLINE_META_CURSOR, cursor, error))
    goto failed;
  if (!page->more && has_ops && !flush_orphan_shadows (store, error))
    goto failed;
  return zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, error);

failed:
  clear_page_upserts (upserts);
  zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
  return FALSE;
}
