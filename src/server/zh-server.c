/* zh-server.c: ZhServer — listening, request limits, worker pools, answers, shutdown. */
#define G_LOG_DOMAIN "zh-server"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "zh-server-private.h"
#include "zh-server-store.h"

/* Failed sign-ins: this many within the window block further tries (REQUIREMENTS §9, 000 §3.8).
 * An address gets a higher bound than a login: a whole school often reaches the service through
 * one address. */
#define LOGIN_FAILURES_PER_LOGIN   5
#define LOGIN_FAILURES_PER_ADDRESS 20
#define LOGIN_WINDOW_SECONDS       (15 * 60)
#define JOURNAL_CACHE_SIZE         512
#define SHUTDOWN_GRACE_SECONDS     10

typedef struct
{
  gint64 start;
  guint  count;
} FailureWindow;

typedef struct
{
  char   *etag;
  GBytes *body;      /* (nullable): only the tag is known when it was answered 304 */
  gint64  last_rev;  /* the service's last rev when the tag was last found current */
} JournalEntry;

struct _ZhServer
{
  GObject       parent_instance;

  char         *data_dir;
  ZhStore      *store;            /* the writer's read-write connection */
  GAsyncQueue  *read_stores;      /* read-only connections, one per read worker */
  GThreadPool  *read_pool;
  GThreadPool  *password_pool;
  GThreadPool  *write_pool;
  SoupServer   *soup;
  GSocket      *socket;
  GMainContext *context;
  guint16       port;
  guint         in_flight;        /* main context only */
  gboolean      shutting_down;    /* main context only */
  gboolean      shut_down;

  GMutex        lock;             /* guards everything below */
  gint64        last_rev;
  GHashTable   *failures_login;   /* login → FailureWindow */
  GHashTable   *failures_address; /* address → FailureWindow */
  GHashTable   *sessions;         /* token hash → ZhServerSession */
  GHashTable   *journal_cache;    /* "group/period" → JournalEntry */
};

G_DEFINE_FINAL_TYPE (ZhServer, zh_server, G_TYPE_OBJECT)
G_DEFINE_QUARK (zh-server-error-quark, zh_server_error)

static void
session_free (gpointer data)
{
  ZhServerSession *session = data;

  zh_server_session_clear (session);
  g_free (session);
}

static void
journal_entry_free (gpointer data)
{
  JournalEntry *entry = data;

  g_free (entry->etag);
  g_clear_pointer (&entry->body, g_bytes_unref);
  g_free (entry);
}

/* zh_server_session_clear: free the strings of @session and zero it. */
void
zh_server_session_clear (ZhServerSession *session)
{
  g_clear_pointer (&session->token_hash, g_free);
  g_clear_pointer (&session->staff_id, g_free);
  g_clear_pointer (&session->school_id, g_free);
  g_clear_pointer (&session->login, g_free);
  session->roles = 0;
  session->expires_at = 0;
}

static void
session_copy (ZhServerSession       *dest,
              const ZhServerSession *src)
{
  dest->token_hash = g_strdup (src->token_hash);
  dest->staff_id = g_strdup (src->staff_id);
  dest->school_id = g_strdup (src->school_id);
  dest->login = g_strdup (src->login);
  dest->roles = src->roles;
  dest->expires_at = src->expires_at;
}

static void
zh_server_dispose (GObject *object)
{
  ZhServer *self = ZH_SERVER (object);

  zh_server_shutdown (self);

  G_OBJECT_CLASS (zh_server_parent_class)->dispose (object);
}

static void
zh_server_finalize (GObject *object)
{
  ZhServer *self = ZH_SERVER (object);

  g_clear_pointer (&self->failures_login, g_hash_table_unref);
  g_clear_pointer (&self->failures_address, g_hash_table_unref);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->journal_cache, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->data_dir, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (zh_server_parent_class)->finalize (object);
}

static void
zh_server_class_init (ZhServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = zh_server_dispose;
  object_class->finalize = zh_server_finalize;
}

static void
zh_server_init (ZhServer *self)
{
  g_mutex_init (&self->lock);
  self->failures_login = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->failures_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, session_free);
  self->journal_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, journal_entry_free);
}

/* ---- answers ------------------------------------------------------------------------------- */

static gboolean try_journal_not_modified (ZhServer        *self,
                                          ZhServerRequest *request);

static void
request_free (ZhServerRequest *request)
{
  if (request->msg != NULL)
    g_signal_handlers_disconnect_by_data (request->msg, request);
  g_clear_object (&request->msg);
  g_free (request->method);
  g_free (request->path);
  g_clear_pointer (&request->query, g_hash_table_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request->token);
  g_free (request->if_none_match);
  g_free (request->remote_host);
  g_free (request->id);
  g_clear_pointer (&request->json, json_node_unref);
  zh_server_session_clear (&request->session);
  if (request->data_free != NULL)
    request->data_free (request->data);
  if (request->answer != NULL)
    g_string_free (request->answer, TRUE);
  g_clear_pointer (&request->answer_bytes, g_bytes_unref);
  g_free (request->etag);
  g_free (request->retry_after);
  g_free (request->allow);
  g_free (request);
}

/* zh_server_request_begin_answer: (transfer none): start the JSON answer of @request with
 * @status; the caller writes one value with the returned writer and frees it. */
ZhJsonWriter *
zh_server_request_begin_answer (ZhServerRequest *request,
                                guint            status)
{
  if (request->answer != NULL)
    g_string_truncate (request->answer, 0);
  else
    request->answer = g_string_sized_new (1024);
  request->status = status;
  return zh_json_writer_new (request->answer);
}

/* zh_server_request_error: answer @request with @status and the error body {code, message, field}. */
void
zh_server_request_error (ZhServerRequest *request,
                         guint            status,
                         const char      *code,
                         const char      *field,
                         const char      *format,
                         ...)
{
  g_autofree char *message = NULL;
  g_autoptr(ZhJsonWriter) writer = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  writer = zh_server_request_begin_answer (request, status);
  zh_json_writer_begin_object (writer);
  zh_json_writer_key (writer, "code");
  zh_json_writer_string (writer, code);
  zh_json_writer_key (writer, "message");
  zh_json_writer_string (writer, message);
  zh_json_writer_key (writer, "field");
  zh_json_writer_string (writer, field);
  zh_json_writer_end_object (writer);
  request->next = NULL;
}

/* zh_server_request_store_error: answer @request after a database failure: 503 while the
 * database is busy, 500 otherwise; the details go to the log, not to the client. */
void
zh_server_request_store_error (ZhServerRequest *request,
                               const GError    *error)
{
  g_warning ("%s %s: %s", request->method, request->path, error->message);
  if (g_error_matches (error, ZH_STORE_ERROR, ZH_STORE_ERROR_BUSY))
    zh_server_request_error (request, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", NULL,
                             _("The service is busy. Try again in a moment."));
  else
    zh_server_request_error (request, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", NULL,
                             _("The service failed to answer; the failure is in its log."));
}

/* zh_server_request_then: after the current stage, run @stage of @request in @pool. */
void
zh_server_request_then (ZhServerRequest   *request,
                        ZhServerPool       pool,
                        ZhServerStageFunc  stage)
{
  request->next = stage;
  request->next_pool = pool;
}

/* Put the answer on the message; main context only. */
static void
set_answer (SoupServerMessage *msg,
            ZhServerRequest   *request)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (request->etag != NULL)
    soup_message_headers_replace (headers, "ETag", request->etag);
  if (request->retry_after != NULL)
    soup_message_headers_replace (headers, "Retry-After", request->retry_after);
  if (request->allow != NULL)
    soup_message_headers_replace (headers, "Allow", request->allow);
  if (request->status == SOUP_STATUS_UNAUTHORIZED)
    soup_message_headers_replace (headers, "WWW-Authenticate", "Bearer realm=\"zhurnal\"");
  soup_message_headers_replace (headers, "Cache-Control", "no-store");

  if (request->status == SOUP_STATUS_NOT_MODIFIED || request->status == SOUP_STATUS_NO_CONTENT)
    ;
  else if (request->answer_bytes != NULL)
    {
      soup_message_headers_replace (headers, "Content-Type", "application/json");
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), request->answer_bytes);
    }
  else if (request->answer != NULL)
    {
      gsize length = request->answer->len;
      char *data = g_string_free (g_steal_pointer (&request->answer), FALSE);

      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, data, length);
    }
  soup_server_message_set_status (msg, request->status, NULL);
}

static gboolean
deliver_cb (gpointer user_data)
{
  ZhServerRequest *request = user_data;
  ZhServer *self = request->server;

  if (!request->finished)
    {
      set_answer (request->msg, request);
      soup_server_message_unpause (request->msg);
    }
  request_free (request);
  g_assert (self->in_flight > 0);
  self->in_flight--;
  return G_SOURCE_REMOVE;
}

/* Hand a finished request back to the main context. */
static void
deliver (ZhServerRequest *request)
{
  g_main_context_invoke (request->server->context, deliver_cb, request);
}

/* ---- the worker pools ---------------------------------------------------------------------- */

/* The deepest nesting of arrays and objects in @data, scanning at most past ZH_SERVER_MAX_DEPTH;
 * done before parsing so a hostile body never makes the parser recurse deeply. */
static guint
json_depth (const char *data,
            gsize       length)
{
  gboolean in_string = FALSE;
  guint depth = 0;
  guint deepest = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          depth++;
          if (depth > deepest)
            deepest = depth;
          if (deepest > ZH_SERVER_MAX_DEPTH)
            break;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return deepest;
}

/* Check and parse the body, and check the session; FALSE with the answer set when either fails. */
static gboolean
prepare_request (ZhServerRequest *request,
                 ZhStore         *store)
{
  if (request->has_body)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      g_autoptr(GError) error = NULL;
      gsize length = 0;
      const char *data = request->body != NULL ? g_bytes_get_data (request->body, &length) : NULL;

      if (length == 0)
        {
          zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_json", NULL,
                                   _("The request has no body; a JSON object is expected."));
          return FALSE;
        }
      if (!g_utf8_validate_len (data, length, NULL))
        {
          zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_utf8", NULL,
                                   _("The body is not valid UTF-8 text."));
          return FALSE;
        }
      if (json_depth (data, length) > ZH_SERVER_MAX_DEPTH)
        {
          zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "too_deep", NULL,
                                   _("The body nests arrays and objects more than %d levels deep."),
                                   ZH_SERVER_MAX_DEPTH);
          return FALSE;
        }
      if (!json_parser_load_from_data (parser, data, length, &error))
        {
          zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_json", NULL,
                                   _("The body is not valid JSON: %s"), error->message);
          return FALSE;
        }
      if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "wrong_type", NULL,
                                   _("The body must be a JSON object."));
          return FALSE;
        }
      request->json = json_node_ref (json_parser_get_root (parser));
    }

  if (request->needs_auth && !zh_server_authenticate (request, store))
    return FALSE;

  return TRUE;
}

static void
push (ZhServerRequest *request)
{
  ZhServer *self = request->server;
  GThreadPool *pool;

  switch (request->next_pool)
    {
    case ZH_SERVER_POOL_READ:
      pool = self->read_pool;
      break;
    case ZH_SERVER_POOL_PASSWORD:
      pool = self->password_pool;
      break;
    case ZH_SERVER_POOL_WRITE:
      pool = self->write_pool;
      break;
    default:
      g_assert_not_reached ();
    }
  g_thread_pool_push (pool, request, NULL);
}

/* Run the next stage of a request in a worker of @pool. */
static void
run_stage (ZhServer        *self,
           ZhServerRequest *request,
           ZhStore         *store)
{
  ZhServerStageFunc stage = request->next;

  request->next = NULL;
  if (!request->prepared)
    {
      request->prepared = TRUE;
      if (!prepare_request (request, store))
        {
          deliver (request);
          return;
        }
    }
  stage (request, store);
  if (request->next != NULL)
    push (request);
  else
    deliver (request);
}

/* Run @sql, which returns no rows, as a statement prepared once per store: parsing BEGIN and
 * COMMIT again for every request cost as much as a journal page's rows of its group and period. */
static void
exec_prepared (ZhStore    *store,
               const char *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = zh_store_prepare (store, sql, &error);

  if (stmt == NULL || !zh_store_step_done (store, stmt, &error))
    g_warning ("%s: %s", sql, error->message);
}

static void
read_worker (gpointer data,
             gpointer user_data)
{
  ZhServer *self = user_data;
  ZhServerRequest *request = data;
  ZhStore *store = g_async_queue_pop (self->read_stores);

  /* A read transaction per stage: every query of the stage sees one snapshot of the database. */
  exec_prepared (store, "BEGIN");
  run_stage (self, request, store);
  exec_prepared (store, "COMMIT");
  g_async_queue_push (self->read_stores, store);
}

static void
password_worker (gpointer data,
                 gpointer user_data)
{
  run_stage (user_data, data, NULL);
}

static void
write_worker (gpointer data,
              gpointer user_data)
{
  ZhServer *self = user_data;

  run_stage (self, data, self->store);
}

/* ---- requests on the main context ---------------------------------------------------------- */

static void
message_finished_cb (SoupServerMessage *msg,
                     gpointer           user_data)
{
  ZhServerRequest *request = user_data;

  request->finished = TRUE;
}

/* Answer at once on the main context, without a worker (routing errors, limits, shutdown). */
static void
answer_now (SoupServerMessage *msg,
            ZhServerRequest   *request)
{
  set_answer (msg, request);
  request_free (request);
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  gsize *received = g_object_get_data (G_OBJECT (msg), "zh-received");

  *received += g_bytes_get_size (chunk);
  if (*received > ZH_SERVER_MAX_BODY)
    {
      /* Keep reading to the end, but stop keeping what arrives. */
      SoupMessageBody *body = soup_server_message_get_request_body (msg);

      soup_message_body_set_accumulate (body, FALSE);
      soup_message_body_truncate (body);
    }
}

/* Refuse a body over the limit as soon as its headers say so, before reading it. */
static void
early_handler (SoupServer        *soup,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);

  if (encoding == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > ZH_SERVER_MAX_BODY)
    {
      ZhServerRequest *request = g_new0 (ZhServerRequest, 1);

      zh_server_request_error (request, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large", NULL,
                               _("The request body is larger than %d bytes."), ZH_SERVER_MAX_BODY);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      answer_now (msg, request);
    }
  else if (encoding == SOUP_ENCODING_CHUNKED || encoding == SOUP_ENCODING_EOF)
    {
      g_object_set_data_full (G_OBJECT (msg), "zh-received", g_new0 (gsize, 1), g_free);
      g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), NULL);
    }
}

static char *
bearer_token (SoupMessageHeaders *headers)
{
  const char *value = soup_message_headers_get_one (headers, "Authorization");

  if (value == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
    return NULL;
  value += 7;
  while (*value == ' ')
    value++;
  return *value != '\0' ? g_strstrip (g_strdup (value)) : NULL;
}

static void
handle_request (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  ZhServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  ZhServerRequest *request = g_new0 (ZhServerRequest, 1);
  gsize *received = g_object_get_data (G_OBJECT (msg), "zh-received");
  ZhServerPool pool = ZH_SERVER_POOL_READ;
  ZhServerStageFunc stage;

  request->server = self;
  request->method = g_strdup (method);
  request->path = g_strdup (path);
  request->query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (query != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, query);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (request->query, g_strdup (key), g_strdup (value));
    }
  request->token = bearer_token (headers);
  request->if_none_match = g_strdup (soup_message_headers_get_one (headers, "If-None-Match"));
  request->remote_host = g_strdup (soup_server_message_get_remote_host (msg));

  if (self->shutting_down)
    {
      zh_server_request_error (request, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", NULL,
                               _("The service is shutting down. Try again in a moment."));
      answer_now (msg, request);
      return;
    }

  if (try_journal_not_modified (self, request))
    {
      answer_now (msg, request);
      return;
    }

  stage = zh_server_route (request, &pool);
  if (stage == NULL)
    {
      answer_now (msg, request);
      return;
    }
  g_assert (pool == ZH_SERVER_POOL_READ);

  if (request->has_body)
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      const char *content_type = soup_message_headers_get_content_type (headers, NULL);

      if (received != NULL && *received > ZH_SERVER_MAX_BODY)
        {
          zh_server_request_error (request, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large", NULL,
                                   _("The request body is larger than %d bytes."), ZH_SERVER_MAX_BODY);
          answer_now (msg, request);
          return;
        }
      if (content_type == NULL || g_ascii_strcasecmp (content_type, "application/json") != 0)
        {
          zh_server_request_error (request, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                                   "unsupported_media_type", "Content-Type",
                                   _("The body must be sent as “application/json”."));
          answer_now (msg, request);
          return;
        }
      request->body = soup_message_body_flatten (body);
    }

  request->msg = g_object_ref (msg);
  /* A client that goes away leaves the message finished; its answer is then dropped. */
  g_signal_connect (msg, "finished", G_CALLBACK (message_finished_cb), request);
  g_signal_connect (msg, "disconnected", G_CALLBACK (message_finished_cb), request);
  request->next = stage;
  request->next_pool = pool;
  self->in_flight++;
  soup_server_message_pause (msg);
  push (request);
}

/* ---- public API ---------------------------------------------------------------------------- */

/* zh_server_new: (transfer full): a service over the database DIR/zhurnal.sqlite, created with
 * the folder (mode 0700) when missing; it listens once zh_server_listen is called. */
ZhServer *
zh_server_new (const char  *data_dir,
               GError     **error)
{
  g_autoptr(ZhServer) self = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, ZH_SERVER_ERROR, ZH_SERVER_ERROR_DATA,
                   _("Cannot create the data folder “%s”: %s"), data_dir, g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (ZH_TYPE_SERVER, NULL);
  self->data_dir = g_strdup (data_dir);
  self->context = g_main_context_ref_thread_default ();

  path = g_build_filename (data_dir, "zhurnal.sqlite", NULL);
  self->store = zh_store_open (path, ZH_STORE_FLAGS_NONE, error);
  if (self->store == NULL)
    return NULL;
  self->last_rev = zh_server_store_get_last_rev (self->store);

  self->read_stores = g_async_queue_new_full (g_object_unref);
  for (guint i = 0; i < ZH_SERVER_READ_WORKERS; i++)
    {
      ZhStore *reader = zh_store_open (path, ZH_STORE_FLAGS_READ_ONLY, error);

      if (reader == NULL)
        return NULL;
      /* Readers map the file instead of copying each page they read into their own cache: the
       * journal pages read many pages, and the four readers then share one copy. As much as
       * SQLite maps (2 GB as Debian builds it): the demo school at scale 3 is 1.5 GB, and pages
       * past the mapping are read and cached by each reader. */
      zh_store_exec (reader, "PRAGMA mmap_size = 2147418112", NULL);
      g_async_queue_push (self->read_stores, reader);
    }

  self->read_pool = g_thread_pool_new (read_worker, self, ZH_SERVER_READ_WORKERS, FALSE, error);
  if (self->read_pool == NULL)
    return NULL;
  self->password_pool = g_thread_pool_new (password_worker, self, ZH_SERVER_PASSWORD_WORKERS, FALSE, error);
  if (self->password_pool == NULL)
    return NULL;
  self->write_pool = g_thread_pool_new (write_worker, self, 1, FALSE, error);
  if (self->write_pool == NULL)
    return NULL;

  self->soup = soup_server_new ("server-header", "zhurnal-server ", NULL);
  soup_server_add_early_handler (self->soup, NULL, early_handler, self, NULL);
  soup_server_add_handler (self->soup, NULL, handle_request, self, NULL);

  return g_steal_pointer (&self);
}

/* zh_server_get_store: (transfer none): the service's read-write store, for preparing data before
 * listening (the demo); never use it once the service listens. */
gpointer
zh_server_get_store (ZhServer *self)
{
  g_return_val_if_fail (ZH_IS_SERVER (self), NULL);

  return self->store;
}

/* zh_server_set_tls_certificate: serve https with @certificate (its private key included) on the
 * socket zh_server_listen opens next; NULL serves plain http. */
void
zh_server_set_tls_certificate (ZhServer        *self,
                               GTlsCertificate *certificate)
{
  g_return_if_fail (ZH_IS_SERVER (self));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));
  g_return_if_fail (self->socket == NULL);

  soup_server_set_tls_certificate (self->soup, certificate);
}

/* zh_server_is_https: whether the service serves https (a certificate was given). */
gboolean
zh_server_is_https (ZhServer *self)
{
  g_return_val_if_fail (ZH_IS_SERVER (self), FALSE);

  return soup_server_get_tls_certificate (self->soup) != NULL;
}

/* zh_server_listen: listen on @host (an IP address or "localhost") and @port (0: any free port),
 * with a backlog of 1024 so bursts of connections are queued, not dropped; https when a
 * certificate was set with zh_server_set_tls_certificate. */
gboolean
zh_server_listen (ZhServer    *self,
                  const char  *host,
                  guint16      port,
                  GError     **error)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (ZH_IS_SERVER (self), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (self->socket == NULL, FALSE);

  if (g_str_equal (host, "localhost"))
    address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    address = g_inet_address_new_from_string (host);
  if (address == NULL)
    {
      g_set_error (error, ZH_SERVER_ERROR, ZH_SERVER_ERROR_LISTEN,
                   _("“%s” is not an IP address to listen on."), host);
      return FALSE;
    }

  socket_address = g_inet_socket_address_new (address, port);
  sock = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                       G_SOCKET_PROTOCOL_TCP, &local_error);
  if (sock != NULL)
    g_socket_set_listen_backlog (sock, 1024);
  if (sock == NULL ||
      !g_socket_bind (sock, socket_address, TRUE, &local_error) ||
      !g_socket_listen (sock, &local_error) ||
      /* SoupServer does the TLS handshake on sockets handed to it too, when told HTTPS. */
      !soup_server_listen_socket (self->soup, sock,
                                  zh_server_is_https (self) ? SOUP_SERVER_LISTEN_HTTPS : 0,
                                  &local_error))
    {
      g_set_error (error, ZH_SERVER_ERROR, ZH_SERVER_ERROR_LISTEN,
                   _("Cannot listen on %s port %u: %s"), host, port, local_error->message);
      return FALSE;
    }

  local = g_socket_get_local_address (sock, error);
  if (local == NULL)
    return FALSE;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  self->socket = g_steal_pointer (&sock);
  return TRUE;
}

/* zh_server_get_port: the port the service listens on, 0 before zh_server_listen. */
guint16
zh_server_get_port (ZhServer *self)
{
  g_return_val_if_fail (ZH_IS_SERVER (self), 0);

  return self->port;
}

/* zh_server_get_in_flight: how many requests are being worked on now. */
guint
zh_server_get_in_flight (ZhServer *self)
{
  g_return_val_if_fail (ZH_IS_SERVER (self), 0);

  return self->in_flight;
}

static gboolean
grace_over_cb (gpointer user_data)
{
  gboolean *over = user_data;

  *over = TRUE;
  return G_SOURCE_REMOVE;
}

/* zh_server_shutdown: stop gracefully: new requests are answered 503, the requests in flight are
 * finished and answered (for up to 10 seconds), then the connections and the database close.
 * Call it on the server's main context; it iterates that context while it waits. */
void
zh_server_shutdown (ZhServer *self)
{
  g_return_if_fail (ZH_IS_SERVER (self));

  if (self->shut_down)
    return;
  self->shut_down = TRUE;
  self->shutting_down = TRUE;

  if (self->in_flight > 0)
    {
      gboolean over = FALSE;
      GSource *timeout = g_timeout_source_new_seconds (SHUTDOWN_GRACE_SECONDS);

      g_source_set_callback (timeout, grace_over_cb, &over, NULL);
      g_source_attach (timeout, self->context);
      while (self->in_flight > 0 && !over)
        g_main_context_iteration (self->context, TRUE);
      g_source_destroy (timeout);
      g_source_unref (timeout);
    }

  /* The pools finish what they hold (nothing, unless the grace time ran out) before they go. */
  if (self->read_pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->read_pool), FALSE, TRUE);
  if (self->password_pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->password_pool), FALSE, TRUE);
  if (self->write_pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->write_pool), FALSE, TRUE);
  /* Answers handed back by the pools are still queued on the context: deliver them. */
  while (self->in_flight > 0 && g_main_context_iteration (self->context, FALSE))
    ;

  if (self->soup != NULL)
    {
      soup_server_disconnect (self->soup);
      g_clear_object (&self->soup);
    }
  if (self->socket != NULL)
    {
      g_socket_close (self->socket, NULL);
      g_clear_object (&self->socket);
    }
  g_clear_pointer (&self->read_stores, g_async_queue_unref);
  g_clear_object (&self->store);
}

/* ---- state shared with the routes ---------------------------------------------------------- */

gint64
_zh_server_get_last_rev (ZhServer *self)
{
  gint64 rev;

  g_mutex_lock (&self->lock);
  rev = self->last_rev;
  g_mutex_unlock (&self->lock);
  return rev;
}

void
_zh_server_set_last_rev (ZhServer *self,
                         gint64    rev)
{
  g_mutex_lock (&self->lock);
  self->last_rev = MAX (self->last_rev, rev);
  g_mutex_unlock (&self->lock);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gint64
window_blocks (GHashTable *table,
               const char *key,
               guint       limit,
               gint64      now)
{
  FailureWindow *window = key != NULL ? g_hash_table_lookup (table, key) : NULL;

  if (window == NULL || now - window->start >= LOGIN_WINDOW_SECONDS || window->count < limit)
    return 0;
  return window->start + LOGIN_WINDOW_SECONDS - now;
}

gboolean
_zh_server_login_blocked (ZhServer   *self,
                          const char *login,
                          const char *address,
                          gint64     *retry_after)
{
  gint64 now = now_seconds ();
  gint64 wait;

  g_mutex_lock (&self->lock);
  wait = MAX (window_blocks (self->failures_login, login, LOGIN_FAILURES_PER_LOGIN, now),
              window_blocks (self->failures_address, address, LOGIN_FAILURES_PER_ADDRESS, now));
  g_mutex_unlock (&self->lock);
  *retry_after = MAX (wait, 1);
  return wait > 0;
}

static void
window_count (GHashTable *table,
              const char *key,
              gint64      now)
{
  FailureWindow *window;

  if (key == NULL)
    return;
  /* Forget windows long past, so a flood of made-up logins cannot grow the table for ever. */
  if (g_hash_table_size (table) > 10000)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, table);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (now - ((FailureWindow *) value)->start >= LOGIN_WINDOW_SECONDS)
          g_hash_table_iter_remove (&iter);
    }
  window = g_hash_table_lookup (table, key);
  if (window == NULL)
    {
      window = g_new0 (FailureWindow, 1);
      g_hash_table_insert (table, g_strdup (key), window);
    }
  if (now - window->start >= LOGIN_WINDOW_SECONDS)
    {
      window->start = now;
      window->count = 0;
    }
  window->count++;
}

void
_zh_server_login_failed (ZhServer   *self,
                         const char *login,
                         const char *address)
{
  gint64 now = now_seconds ();

  g_mutex_lock (&self->lock);
  window_count (self->failures_login, login, now);
  window_count (self->failures_address, address, now);
  g_mutex_unlock (&self->lock);
}

void
_zh_server_login_succeeded (ZhServer   *self,
                            const char *login)
{
  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->failures_login, login);
  g_mutex_unlock (&self->lock);
}

gboolean
_zh_server_session_cache_lookup (ZhServer        *self,
                                 const char      *token_hash,
                                 ZhServerSession *session)
{
  ZhServerSession *cached;
  gboolean found = FALSE;

  g_mutex_lock (&self->lock);
  cached = g_hash_table_lookup (self->sessions, token_hash);
  if (cached != NULL && cached->expires_at > now_seconds ())
    {
      session_copy (session, cached);
      found = TRUE;
    }
  else if (cached != NULL)
    g_hash_table_remove (self->sessions, token_hash);
  g_mutex_unlock (&self->lock);
  return found;
}

void
_zh_server_session_cache_add (ZhServer              *self,
                              const ZhServerSession *session)
{
  ZhServerSession *copy = g_new0 (ZhServerSession, 1);

  session_copy (copy, session);
  g_mutex_lock (&self->lock);
  if (g_hash_table_size (self->sessions) > 100000)
    g_hash_table_remove_all (self->sessions);
  g_hash_table_replace (self->sessions, g_strdup (session->token_hash), copy);
  g_mutex_unlock (&self->lock);
}

/* Forget the cached sessions of @staff_id but @except_token_hash (NULL: all of them). */
void
_zh_server_session_cache_remove_staff (ZhServer   *self,
                                       const char *staff_id,
                                       const char *except_token_hash)
{
  GHashTableIter iter;
  gpointer key, value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_strcmp0 (((ZhServerSession *) value)->staff_id, staff_id) == 0 &&
        g_strcmp0 (key, except_token_hash) != 0)
      g_hash_table_iter_remove (&iter);
  g_mutex_unlock (&self->lock);
}

/* The cached body of the page @key when its tag is @etag, found current at @last_rev. */
GBytes *
_zh_server_journal_cache_lookup (ZhServer   *self,
                                 const char *key,
                                 const char *etag,
                                 gint64      last_rev)
{
  JournalEntry *entry;
  GBytes *body = NULL;

  g_mutex_lock (&self->lock);
  entry = g_hash_table_lookup (self->journal_cache, key);
  if (entry != NULL && g_str_equal (entry->etag, etag))
    {
      entry->last_rev = MAX (entry->last_rev, last_rev);
      if (entry->body != NULL)
        body = g_bytes_ref (entry->body);
    }
  g_mutex_unlock (&self->lock);
  return body;
}

/* Whether the service remembers a tag (and maybe a body) of the page @key. */
gboolean
_zh_server_journal_cache_contains (ZhServer   *self,
                                   const char *key)
{
  gboolean found;

  g_mutex_lock (&self->lock);
  found = g_hash_table_contains (self->journal_cache, key);
  g_mutex_unlock (&self->lock);
  return found;
}

/* Remember that the page @key had the tag @etag (and the body @body, if given) in a snapshot of
 * the database whose last rev was @last_rev. */
void
_zh_server_journal_cache_add (ZhServer   *self,
                              const char *key,
                              const char *etag,
                              GBytes     *body,
                              gint64      last_rev)
{
  JournalEntry *entry;

  g_mutex_lock (&self->lock);
  entry = g_hash_table_lookup (self->journal_cache, key);
  if (entry != NULL && g_str_equal (entry->etag, etag))
    {
      entry->last_rev = MAX (entry->last_rev, last_rev);
      if (body != NULL && entry->body == NULL)
        entry->body = g_bytes_ref (body);
      g_mutex_unlock (&self->lock);
      return;
    }
  entry = g_new0 (JournalEntry, 1);
  entry->etag = g_strdup (etag);
  entry->body = body != NULL ? g_bytes_ref (body) : NULL;
  entry->last_rev = last_rev;
  if (g_hash_table_size (self->journal_cache) >= JOURNAL_CACHE_SIZE)
    g_hash_table_remove_all (self->journal_cache);
  g_hash_table_replace (self->journal_cache, g_strdup (key), entry);
  g_mutex_unlock (&self->lock);
}

/* The 304 fast path: the tag of page @key when @if_none_match names it and nothing at all has
 * been written since it was found current (the service's last rev has not moved), else NULL.
 * The writer moves last_rev before it answers, so whoever saw a write never gets a stale 304. */
static char *
journal_not_modified (ZhServer   *self,
                      const char *key,
                      const char *if_none_match)
{
  JournalEntry *entry;
  char *etag = NULL;

  g_mutex_lock (&self->lock);
  entry = g_hash_table_lookup (self->journal_cache, key);
  if (entry != NULL && entry->last_rev == self->last_rev && strstr (if_none_match, entry->etag) != NULL)
    etag = g_strdup (entry->etag);
  g_mutex_unlock (&self->lock);
  return etag;
}

/* Answer a journal page the client has, without a worker and without SQLite, when the session
 * is known and no write happened since the page's tag was computed; FALSE to take the usual way. */
static gboolean
try_journal_not_modified (ZhServer        *self,
                          ZhServerRequest *request)
{
  ZhServerSession session = { 0 };
  g_autofree char *hash = NULL;
  g_autofree char *key = NULL;
  const char *group, *period;

  if (request->if_none_match == NULL || request->token == NULL ||
      !g_str_equal (request->method, "GET") || !g_str_equal (request->path, "/api/v1/journal") ||
      g_hash_table_size (request->query) != 2)
    return FALSE;
  group = g_hash_table_lookup (request->query, "group");
  period = g_hash_table_lookup (request->query, "period");
  if (group == NULL || period == NULL)
    return FALSE;
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, request->token, -1);
  if (!_zh_server_session_cache_lookup (self, hash, &session))
    return FALSE;
  key = g_strdup_printf ("%s/%s/%s", session.school_id, group, period);
  zh_server_session_clear (&session);
  request->etag = journal_not_modified (self, key, request->if_none_match);
  if (request->etag == NULL)
    return FALSE;
  request->status = SOUP_STATUS_NOT_MODIFIED;
  return TRUE;
}
