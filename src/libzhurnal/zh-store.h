/* zh-store.h: one SQLite database of Zhurnal — the service's or a client's offline copy.
 *
 * ZhStore alone holds the sqlite3 handle (STYLE.md "The store"). It creates a new database from
 * data/schema/schema.sql, brings an older one forward one version step at a time, and opens every
 * connection the same way: WAL, foreign keys on, a busy timeout, file mode 0600 (the file holds
 * children's personal data, DEVELOPERS.md rule 8). A ZhStore is used from one thread at a time;
 * a program that works in several threads opens one store per thread on the same file.
 */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* The schema version this build writes (PRAGMA user_version). */
#define ZH_STORE_VERSION 5

#define ZH_STORE_ERROR (zh_store_error_quark ())
GQuark zh_store_error_quark (void);

/* ZhStoreError: why a database operation failed. */
typedef enum
{
  ZH_STORE_ERROR_OPEN,        /* the file cannot be opened or created */
  ZH_STORE_ERROR_CORRUPT,     /* the file is not a Zhurnal database or is damaged */
  ZH_STORE_ERROR_TOO_NEW,     /* written by a newer Zhurnal: this build cannot read it */
  ZH_STORE_ERROR_MIGRATION,   /* a migration step failed; the database is left as it was */
  ZH_STORE_ERROR_CONSTRAINT,  /* a row breaks a rule of the schema (key, reference, check) */
  ZH_STORE_ERROR_BUSY,        /* another writer held the database for too long */
  ZH_STORE_ERROR_CANCELLED,   /* the operation was cancelled */
  ZH_STORE_ERROR_NOT_FOUND,   /* no such row */
  ZH_STORE_ERROR_FAILED,      /* any other SQLite failure */
} ZhStoreError;

typedef enum
{
  ZH_STORE_FLAGS_NONE      = 0,
  ZH_STORE_FLAGS_READ_ONLY = 1 << 0, /* never writes; the file must exist and be current */
  ZH_STORE_FLAGS_NO_CREATE = 1 << 1, /* the file must exist */
  ZH_STORE_FLAGS_BULK_LOAD = 1 << 2, /* a large page cache for loading many rows (demo, first sync) */
} ZhStoreFlags;

typedef enum
{
  ZH_STORE_UNLOCK_COMMIT,
  ZH_STORE_UNLOCK_ROLLBACK,
} ZhStoreUnlockAction;

#define ZH_TYPE_STORE (zh_store_get_type ())
G_DECLARE_FINAL_TYPE (ZhStore, zh_store, ZH, STORE, GObject)

ZhStore      *zh_store_open          (const char          *path,
                                      ZhStoreFlags         flags,
                                      GError             **error);
const char   *zh_store_get_path      (ZhStore             *self);
sqlite3      *zh_store_get_db        (ZhStore             *self);
int           zh_store_get_version   (ZhStore             *self);

gboolean      zh_store_lock          (ZhStore             *self,
                                      GError             **error);
gboolean      zh_store_unlock        (ZhStore             *self,
                                      ZhStoreUnlockAction  action,
                                      GError             **error);
gboolean      zh_store_in_transaction (ZhStore            *self);

sqlite3_stmt *zh_store_prepare       (ZhStore             *self,
                                      const char          *sql,
                                      GError             **error);
gboolean      zh_store_exec          (ZhStore             *self,
                                      const char          *sql,
                                      GError             **error);
gboolean      zh_store_step_done     (ZhStore             *self,
                                      sqlite3_stmt        *stmt,
                                      GError             **error);

void          zh_store_set_cancellable (ZhStore           *self,
                                        GCancellable      *cancellable);

char         *zh_store_dup_meta      (ZhStore             *self,
                                      const char          *key);
gboolean      zh_store_set_meta      (ZhStore             *self,
                                      const char          *key,
                                      const char          *value,
                                      GError             **error);

gboolean      zh_store_set_error     (ZhStore             *self,
                                      int                  rc,
                                      const char          *what,
                                      GError             **error);

/* The text of a schema resource: "schema.sql", "migrate-002.sql". */
GBytes       *zh_store_get_schema_resource (const char    *name);

G_END_DECLS
