/* zh-server.h: ZhServer, the reference regional service (DESIGN.md §8) over one database folder.
 *
 * Threads: the SoupServer and every SoupServerMessage live on the main context of the thread
 * that created the ZhServer. A request is parsed and routed there, paused, and its work is done
 * in worker pools, each worker with its own SQLite connection:
 *   - read workers (ZH_SERVER_READ_WORKERS threads, one read-only connection each): sessions,
 *     collections, the changes feed, the journal page, the audit log;
 *   - the password worker pool (Argon2id is slow on purpose and must not hold up reads);
 *   - one writer thread with the one read-write connection: every write of the service goes
 *     through it, one transaction at a time, which is what keeps revs in commit order.
 * The answer is handed back to the main context, which sets it on the message and unpauses it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ZH_SERVER_ERROR (zh_server_error_quark ())
GQuark zh_server_error_quark (void);

/* ZhServerError: why the service cannot start or prepare its data. */
typedef enum
{
  ZH_SERVER_ERROR_LISTEN,    /* the address cannot be listened on */
  ZH_SERVER_ERROR_DATA,      /* the data folder or database cannot be used */
  ZH_SERVER_ERROR_DEMO,      /* the demo school lacks something the demo needs */
  ZH_SERVER_ERROR_PASSWORD,  /* a password cannot be hashed (out of memory) */
} ZhServerError;

/* Worker threads with a read-only database connection each. */
#define ZH_SERVER_READ_WORKERS 4
/* Worker threads that hash and check passwords (Argon2id, 64 MiB each). */
#define ZH_SERVER_PASSWORD_WORKERS 2
/* The largest request body accepted. */
#define ZH_SERVER_MAX_BODY (1024 * 1024)
/* The deepest JSON nesting accepted in a request body. */
#define ZH_SERVER_MAX_DEPTH 32
/* Rows per page: the default and the largest `limit`. */
#define ZH_SERVER_DEFAULT_LIMIT 500
#define ZH_SERVER_MAX_LIMIT 5000
/* How long a session token lives, in seconds. */
#define ZH_SERVER_SESSION_SECONDS (12 * 3600)

#define ZH_TYPE_SERVER (zh_server_get_type ())
G_DECLARE_FINAL_TYPE (ZhServer, zh_server, ZH, SERVER, GObject)

ZhServer *zh_server_new          (const char  *data_dir,
                                  GError     **error);
gpointer  zh_server_get_store    (ZhServer    *self);
void      zh_server_set_tls_certificate (ZhServer        *self,
                                         GTlsCertificate *certificate);
gboolean  zh_server_is_https     (ZhServer    *self);
gboolean  zh_server_listen       (ZhServer    *self,
                                  const char  *host,
                                  guint16      port,
                                  GError     **error);
guint16   zh_server_get_port     (ZhServer    *self);
void      zh_server_shutdown     (ZhServer    *self);
guint     zh_server_get_in_flight (ZhServer   *self);

G_END_DECLS
