/* zh-server-private.h: the request that travels between the main loop and the worker pools,
 * shared by the server core (zh-server.c) and the routes (zh-server-routes.c). */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "zh-json-writer.h"
#include "zh-model.h"
#include "zh-server.h"
#include "zh-store.h"

G_BEGIN_DECLS

typedef struct _ZhServerRequest ZhServerRequest;

/* A stage of a request, run in a worker with that worker's connection (NULL in the password pool). */
typedef void (*ZhServerStageFunc) (ZhServerRequest *request,
                                   ZhStore         *store);

typedef enum
{
  ZH_SERVER_POOL_READ,
  ZH_SERVER_POOL_PASSWORD,
  ZH_SERVER_POOL_WRITE,
} ZhServerPool;

/* The signed-in staff member of a request. */
typedef struct
{
  char   *token_hash;
  char   *staff_id;
  char   *school_id;
  char   *login;
  guint   roles;           /* ZhRoles */
  gint64  expires_at;
} ZhServerSession;

struct _ZhServerRequest
{
  ZhServer          *server;       /* (not owned: the server outlives its requests) */
  SoupServerMessage *msg;          /* (owned); touched on the main context only */
  gboolean           finished;     /* the message was finished (client gone) before the answer */

  /* Copied from the message on the main context, read in the workers. */
  char              *method;
  char              *path;
  GHashTable        *query;        /* (owned) name → value */
  GBytes            *body;         /* (owned) (nullable) */
  char              *token;        /* the bearer token, or NULL */
  char              *if_none_match;
  char              *remote_host;
  gboolean           needs_auth;
  gboolean           has_body;
  gboolean           prepared;     /* the body was parsed and the session checked */

  /* Route data. */
  const ZhEntityInfo *entity;      /* for collection routes */
  char              *id;           /* for /{collection}/{id} */
  JsonNode          *json;         /* (owned) the parsed body */
  ZhServerSession    session;
  gpointer           data;         /* a stage's data for the next stage */
  GDestroyNotify     data_free;

  /* The next stage to run, or NULL when the answer is ready. */
  ZhServerStageFunc  next;
  ZhServerPool       next_pool;

  /* The answer. */
  guint              status;
  GString           *answer;
  GBytes            *answer_bytes; /* a whole answer body kept elsewhere (the journal cache) */
  char              *etag;
  char              *retry_after;
  char              *allow;
};

/* Answers. */
void      zh_server_request_error    (ZhServerRequest *request,
                                      guint            status,
                                      const char      *code,
                                      const char      *field,
                                      const char      *format,
                                      ...) G_GNUC_PRINTF (5, 6);
void      zh_server_request_store_error (ZhServerRequest *request,
                                         const GError    *error);
void      zh_server_request_then     (ZhServerRequest   *request,
                                      ZhServerPool       pool,
                                      ZhServerStageFunc  stage);
ZhJsonWriter *zh_server_request_begin_answer (ZhServerRequest *request,
                                              guint            status);

/* Sessions (zh-server-routes.c). */
gboolean  zh_server_authenticate     (ZhServerRequest *request,
                                      ZhStore         *store);
void      zh_server_session_clear    (ZhServerSession *session);

/* Server state used by the routes (zh-server.c). */
gint64    _zh_server_get_last_rev    (ZhServer        *server);
void      _zh_server_set_last_rev    (ZhServer        *server,
                                      gint64           rev);
gboolean  _zh_server_login_blocked   (ZhServer        *server,
                                      const char      *login,
                                      const char      *address,
                                      gint64          *retry_after);
void      _zh_server_login_failed    (ZhServer        *server,
                                      const char      *login,
                                      const char      *address);
void      _zh_server_login_succeeded (ZhServer        *server,
                                      const char      *login);
gboolean  _zh_server_session_cache_lookup (ZhServer        *server,
                                           const char      *token_hash,
                                           ZhServerSession *session);
void      _zh_server_session_cache_add    (ZhServer              *server,
                                           const ZhServerSession *session);
void      _zh_server_session_cache_remove_staff (ZhServer   *server,
                                                 const char *staff_id,
                                                 const char *except_token_hash);
GBytes   *_zh_server_journal_cache_lookup (ZhServer   *server,
                                           const char *key,
                                           const char *etag,
                                           gint64      last_rev);
gboolean  _zh_server_journal_cache_contains (ZhServer   *server,
                                             const char *key);
void      _zh_server_journal_cache_add    (ZhServer   *server,
                                           const char *key,
                                           const char *etag,
                                           GBytes     *body,
                                           gint64      last_rev);

/* The write routes (zh-server-write.c): the first stages of POST /batch and POST /imports. */
void      _zh_server_batch_start     (ZhServerRequest *request,
                                      ZhStore         *store);
void      _zh_server_import_start    (ZhServerRequest *request,
                                      ZhStore         *store);

/* Routes: find the stage for a method and path; fills @request's route data. Returns the first
 * stage, or NULL with the answer (404, 405) already set. */
ZhServerStageFunc zh_server_route    (ZhServerRequest *request,
                                      ZhServerPool    *pool);

G_END_DECLS
