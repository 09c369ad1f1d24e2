/* zh-store.c: opening, creating and migrating a Zhurnal database; transactions and statements. */
#define G_LOG_DOMAIN "zh-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "zh-libzhurnal-resources.h"
#include "zh-store.h"

/* 'ZHRN': marks a file as a Zhurnal database, so a stray SQLite file is refused, not "migrated". */
#define ZH_APPLICATION_ID 0x5A48524E

struct _ZhStore
{
  GObject       parent_instance;

  char         *path;
  sqlite3      *db;
  GHashTable   *statements;   /* SQL text → sqlite3_stmt, kept for the life of the store */
  GCancellable *cancellable;
  guint         lock_depth;
  gboolean      read_only;
};

G_DEFINE_FINAL_TYPE (ZhStore, zh_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (zh-store-error-quark, zh_store_error)

static void
zh_store_finalize (GObject *object)
{
  ZhStore *self = ZH_STORE (object);

  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    {
      if (self->lock_depth > 0)
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (zh_store_parent_class)->finalize (object);
}

static void
zh_store_class_init (ZhStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zh_store_finalize;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
zh_store_init (ZhStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_statement);
}

/* zh_store_set_error: fill @error from the SQLite result @rc of the operation @what (the one place
 * SQLite codes become ZhStoreError codes, after EDS e_cache_sqlite_exec_internal). Returns FALSE so
 * callers can `return zh_store_set_error (…)`. */
gboolean
zh_store_set_error (ZhStore    *self,
                    int         rc,
                    const char *what,
                    GError    **error)
{
  ZhStoreError code;
  const char *detail = self != NULL && self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_CONSTRAINT:
      code = ZH_STORE_ERROR_CONSTRAINT;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = ZH_STORE_ERROR_BUSY;
      break;
    case SQLITE_INTERRUPT:
      code = ZH_STORE_ERROR_CANCELLED;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = ZH_STORE_ERROR_CORRUPT;
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      code = ZH_STORE_ERROR_OPEN;
      break;
    default:
      code = ZH_STORE_ERROR_FAILED;
      break;
    }

  g_set_error (error, ZH_STORE_ERROR, code, "%s: %s", what, detail);
  return FALSE;
}

/* Abort a long statement when the store's cancellable fires (EDS e_cache_check_cancelled_cb). */
static int
progress_cb (void *user_data)
{
  ZhStore *self = user_data;

  return self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable);
}

/* The next character of @s for a class list's order, moving @s on: Ё/ё file as Е/е (a class list
 * puts Ёлкин among the Е), every other character is its code point, so Cyrillic keeps its
 * alphabetical order. Invalid UTF-8 compares byte by byte. */
static gunichar
journal_next_char (const char **s,
                   const char  *end)
{
  gunichar c = g_utf8_get_char_validated (*s, end - *s);

  if (c == (gunichar) -1 || c == (gunichar) -2)
    {
      c = (guchar) **s;
      (*s)++;
      return c;
    }
  *s = g_utf8_next_char (*s);
  if (c == 0x0401)          /* Ё */
    return 0x0415;          /* Е */
  if (c == 0x0451)          /* ё */
    return 0x0435;          /* е */
  return c;
}

/* The collation "journal" (ORDER BY last_name COLLATE journal): the order of names in a paper
 * class journal, cheaper than sorting by replace (…) expressions. */
static int
journal_collate (void       *user_data,
                 int         a_len,
                 const void *a,
                 int         b_len,
                 const void *b)
{
  const char *p = a, *p_end = p + a_len;
  const char *q = b, *q_end = q + b_len;

  while (p < p_end && q < q_end)
    {
      gunichar x = journal_next_char (&p, p_end);
      gunichar y = journal_next_char (&q, q_end);

      if (x != y)
        return x < y ? -1 : 1;
    }
  return (p < p_end) - (q < q_end);
}

/* zh_store_get_schema_resource: the bytes of a schema file compiled into libzhurnal. */
GBytes *
zh_store_get_schema_resource (const char *name)
{
  g_autofree char *path = g_strconcat ("/io/github/zhurnal/schema/", name, NULL);

  return g_resource_lookup_data (zh_libzhurnal_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
}

static gboolean
exec_resource (ZhStore    *self,
               const char *name,
               GError    **error)
{
  g_autoptr(GBytes) bytes = zh_store_get_schema_resource (name);
  g_autofree char *sql = NULL;

  g_assert (bytes != NULL);
  sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return zh_store_exec (self, sql, error);
}

static int
query_int (ZhStore    *self,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int value = -1;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* One step per schema version; step N brings version N-1 to N. Each runs in the same write
 * transaction as the version stamp, so a failed step leaves the database as it was. */
static const char * const migrations[ZH_STORE_VERSION + 1] = {
  [2] = "migrate-002.sql",   /* the sync tables: change, outbox, account, session, op_log */
  [3] = "migrate-003.sql",   /* the client's shadow rows (docs/sync.md) */
  [4] = "migrate-004.sql",   /* period_mark_page: a journal page's period marks in order */
  [5] = "migrate-005.sql",   /* outbox.correction: a correction's reason and document */
};

static gboolean
zh_store_migrate (ZhStore *self,
                  int      from_version,
                  GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!zh_store_lock (self, error))
    return FALSE;

  if (from_version == 0)
    {
      /* A new database: the whole current schema at once. */
      if (!exec_resource (self, "schema.sql", &local_error))
        goto failed;
    }
  else
    {
      for (int v = from_version + 1; v <= ZH_STORE_VERSION; v++)
        {
          g_autofree char *stamp = g_strdup_printf ("PRAGMA user_version = %d", v);

          g_debug ("migrating %s from schema version %d to %d", self->path, v - 1, v);
          if (!exec_resource (self, migrations[v], &local_error) ||
              !zh_store_exec (self, stamp, &local_error))
            goto failed;
        }
    }

  {
    g_autofree char *stamp = g_strdup_printf ("PRAGMA application_id = %d", ZH_APPLICATION_ID);

    if (!zh_store_exec (self, stamp, &local_error))
      goto failed;
  }

  return zh_store_unlock (self, ZH_STORE_UNLOCK_COMMIT, error);

failed:
  zh_store_unlock (self, ZH_STORE_UNLOCK_ROLLBACK, NULL);
  g_set_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_MIGRATION,
               _("Cannot bring the database “%s” to version %d: %s"),
               self->path, ZH_STORE_VERSION, local_error->message);
  return FALSE;
}

/* Create the file with mode 0600 before SQLite does, so it is never readable by others, and tighten
 * the mode of an existing file (the offline copy holds children's personal data). */
static gboolean
ensure_private_file (const char  *path,
                     gboolean     create,
                     GError     **error)
{
  int fd;
  int saved_errno;

  /* An existing file is never opened here: closing any descriptor of a database drops every
   * POSIX lock this process holds on it (fcntl locks belong to the process), under the feet of
   * the connections already open — SQLite's "How To Corrupt" §2.2. Its mode is set by name. */
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (g_chmod (path, 0600) != 0)
        g_warning ("cannot make %s private: %s", path, g_strerror (errno));
      return TRUE;
    }
  fd = g_open (path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
  saved_errno = errno;
  if (fd < 0)
    {
      g_set_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_OPEN,
                   _("Cannot open the database “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  if (fchmod (fd, 0600) != 0)
    g_warning ("cannot make %s private: %s", path, g_strerror (errno));
  close (fd);
  return TRUE;
}

/* zh_store_open: open the database at @path, creating it (mode 0600) and bringing its schema to
 * ZH_STORE_VERSION as needed. Returns (transfer full): the store, or NULL with @error set. */
ZhStore *
zh_store_open (const char   *path,
               ZhStoreFlags  flags,
               GError      **error)
{
  g_autoptr(ZhStore) self = NULL;
  gboolean read_only = (flags & ZH_STORE_FLAGS_READ_ONLY) != 0;
  gboolean create = !read_only && (flags & ZH_STORE_FLAGS_NO_CREATE) == 0;
  int open_flags;
  int version;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (ZH_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->read_only = read_only;

  if (!read_only && !ensure_private_file (path, create, error))
    return NULL;

  open_flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
  rc = sqlite3_open_v2 (path, &self->db, open_flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_OPEN,
                   _("Cannot open the database “%s”: %s"), path, sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, 10000);
  sqlite3_progress_handler (self->db, 1000, progress_cb, self);
  sqlite3_create_collation (self->db, "journal", SQLITE_UTF8, NULL, journal_collate);

  /* Reading the header tells a Zhurnal database from any other file. */
  version = query_int (self, "PRAGMA user_version");
  if (version < 0)
    {
      g_set_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_CORRUPT,
                   _("“%s” is not a Zhurnal database or is damaged."), path);
      return NULL;
    }
  if (version == 0 && query_int (self, "SELECT count(*) FROM sqlite_master") > 0)
    {
      g_set_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_CORRUPT,
                   _("“%s” is not a Zhurnal database."), path);
      return NULL;
    }
  if (version > 0 && query_int (self, "PRAGMA application_id") != ZH_APPLICATION_ID)
    {
      g_set_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_CORRUPT,
                   _("“%s” is not a Zhurnal database."), path);
      return NULL;
    }
  if (version > ZH_STORE_VERSION)
    {
      g_set_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_TOO_NEW,
                   _("The database “%s” was written by a newer version of Zhurnal (schema %d; "
                     "this version reads up to %d)."), path, version, ZH_STORE_VERSION);
      return NULL;
    }

  /* WAL lets readers go on while one writer commits; FULL makes every commit reach the disk
   * before the user is told "saved" (DEVELOPERS.md rule 5), BULK_LOAD trades that for speed while
   * a whole database is being filled and is then committed once. */
  if (!read_only)
    {
      if (!zh_store_exec (self, "PRAGMA journal_mode = WAL", error))
        return NULL;
      if (!zh_store_exec (self, (flags & ZH_STORE_FLAGS_BULK_LOAD) != 0 ?
                                "PRAGMA synchronous = OFF" : "PRAGMA synchronous = FULL", error))
        return NULL;
    }
  if (!zh_store_exec (self, "PRAGMA foreign_keys = ON", error))
    return NULL;
  if ((flags & ZH_STORE_FLAGS_BULK_LOAD) != 0 &&
      !zh_store_exec (self, "PRAGMA cache_size = -262144", error))   /* 256 MiB */
    return NULL;

  if (version < ZH_STORE_VERSION)
    {
      if (read_only)
        {
          g_set_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_TOO_NEW,
                       _("The database “%s” has the old schema %d and is open read-only."),
                       path, version);
          return NULL;
        }
      if (!zh_store_migrate (self, version, error))
        return NULL;
    }

  return g_steal_pointer (&self);
}

/* zh_store_get_path: the file of the database. */
const char *
zh_store_get_path (ZhStore *self)
{
  g_return_val_if_fail (ZH_IS_STORE (self), NULL);

  return self->path;
}

/* zh_store_get_db: (transfer none): the SQLite handle, for the modules of libzhurnal that run
 * their own statements; use it from the thread that uses the store. */
sqlite3 *
zh_store_get_db (ZhStore *self)
{
  g_return_val_if_fail (ZH_IS_STORE (self), NULL);

  return self->db;
}

/* zh_store_get_version: the schema version of the open database. */
int
zh_store_get_version (ZhStore *self)
{
  g_return_val_if_fail (ZH_IS_STORE (self), -1);

  return query_int (self, "PRAGMA user_version");
}

/* zh_store_lock: begin a write transaction, or a savepoint inside one (locks nest). BEGIN IMMEDIATE
 * takes the write lock at once, so two writers never deadlock upgrading read locks midway. */
gboolean
zh_store_lock (ZhStore *self,
               GError **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (ZH_IS_STORE (self), FALSE);

  if (self->lock_depth == 0)
    sql = g_strdup ("BEGIN IMMEDIATE");
  else
    sql = g_strdup_printf ("SAVEPOINT zh_%u", self->lock_depth);

  if (!zh_store_exec (self, sql, error))
    return FALSE;
  self->lock_depth++;
  return TRUE;
}

/* zh_store_unlock: end the innermost zh_store_lock, keeping or undoing what it wrote. */
gboolean
zh_store_unlock (ZhStore             *self,
                 ZhStoreUnlockAction  action,
                 GError             **error)
{
  g_autofree char *sql = NULL;
  gboolean ok;

  g_return_val_if_fail (ZH_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->lock_depth > 0, FALSE);

  self->lock_depth--;
  if (self->lock_depth == 0)
    sql = g_strdup (action == ZH_STORE_UNLOCK_COMMIT ? "COMMIT" : "ROLLBACK");
  else if (action == ZH_STORE_UNLOCK_COMMIT)
    sql = g_strdup_printf ("RELEASE zh_%u", self->lock_depth);
  else
    sql = g_strdup_printf ("ROLLBACK TO zh_%u; RELEASE zh_%u", self->lock_depth, self->lock_depth);

  ok = zh_store_exec (self, sql, error);
  if (!ok && self->lock_depth == 0 && action == ZH_STORE_UNLOCK_COMMIT)
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);   /* a failed COMMIT must not linger */
  return ok;
}

/* zh_store_in_transaction: whether a zh_store_lock is open. */
gboolean
zh_store_in_transaction (ZhStore *self)
{
  g_return_val_if_fail (ZH_IS_STORE (self), FALSE);

  return self->lock_depth > 0;
}

/* zh_store_prepare: (transfer none): the cached statement for @sql, reset and with its bindings
 * cleared; it stays valid as long as the store. */
sqlite3_stmt *
zh_store_prepare (ZhStore    *self,
                  const char *sql,
                  GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (ZH_IS_STORE (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      zh_store_set_error (self, rc, "prepare", error);
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

/* zh_store_step_done: step @stmt, which must not return rows, and reset it. */
gboolean
zh_store_step_done (ZhStore      *self,
                    sqlite3_stmt *stmt,
                    GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return zh_store_set_error (self, rc, sqlite3_sql (stmt), error);
  return TRUE;
}

/* zh_store_exec: run @sql, one or more statements, without results. */
gboolean
zh_store_exec (ZhStore    *self,
               const char *sql,
               GError    **error)
{
  int rc;

  g_return_val_if_fail (ZH_IS_STORE (self), FALSE);

  rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return zh_store_set_error (self, rc, sql, error);
  return TRUE;
}

/* zh_store_set_cancellable: statements stop with ZH_STORE_ERROR_CANCELLED once @cancellable is
 * cancelled; NULL makes them run to the end. */
void
zh_store_set_cancellable (ZhStore      *self,
                          GCancellable *cancellable)
{
  g_return_if_fail (ZH_IS_STORE (self));

  g_set_object (&self->cancellable, cancellable);
}

/* zh_store_dup_meta: the value kept under @key in the meta table, or NULL. */
char *
zh_store_dup_meta (ZhStore    *self,
                   const char *key)
{
  sqlite3_stmt *stmt;
  char *value = NULL;

  g_return_val_if_fail (ZH_IS_STORE (self), NULL);

  stmt = zh_store_prepare (self, "SELECT value FROM meta WHERE key = ?", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

/* zh_store_set_meta: keep @value under @key in the meta table (NULL removes it). */
gboolean
zh_store_set_meta (ZhStore    *self,
                   const char *key,
                   const char *value,
                   GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (ZH_IS_STORE (self), FALSE);

  if (value == NULL)
    stmt = zh_store_prepare (self, "DELETE FROM meta WHERE key = ?1", error);
  else
    stmt = zh_store_prepare (self, "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (value != NULL)
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  return zh_store_step_done (self, stmt, error);
}
