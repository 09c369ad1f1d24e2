/* zh-client.c: ZhClient — requests to the service, strict checks of every reply, error mapping. */
#define G_LOG_DOMAIN "zh-client"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "zh-client.h"
#include "zh-feed-decoder-private.h"
#include "zh-json-writer.h"

#define API_PREFIX "/api/v1"
#define READ_CHUNK (256 * 1024)

struct _ZhClient
{
  GObject      parent_instance;

  GUri        *base_uri;     /* scheme, host and port of the service; path without API_PREFIX */
  char        *base_url;     /* the same as text, without a trailing slash */
  char        *token;
  SoupSession *session;
  GTlsDatabase *extra_cas;   /* the account's own certificate authorities, or NULL */
};

G_DEFINE_FINAL_TYPE (ZhClient, zh_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (zh-client-error-quark, zh_client_error)

/* ---- plain types ---------------------------------------------------------------------------- */

/* _zh_change_free: free a ZhChange and its row. */
void
_zh_change_free (gpointer data)
{
  ZhChange *change = data;

  if (change->value != NULL)
    zh_entity_free (change->info, change->value);
  g_free (change->id);
  g_free (change);
}

/* zh_changes_page_free: free @page and its changes. */
void
zh_changes_page_free (ZhChangesPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->changes, g_ptr_array_unref);
  g_free (page);
}

/* zh_operation_new: (transfer full): an empty operation for zh_client_post_batch_async. */
ZhOperation *
zh_operation_new (void)
{
  return g_new0 (ZhOperation, 1);
}

/* zh_operation_free: free @op and its strings. */
void
zh_operation_free (ZhOperation *op)
{
  if (op == NULL)
    return;
  g_free (op->op_id);
  g_free (op->id);
  g_free (op->value);
  g_free (op->correction);
  g_free (op);
}

/* zh_op_result_free: free @result and its strings. */
void
zh_op_result_free (ZhOpResult *result)
{
  if (result == NULL)
    return;
  g_free (result->op_id);
  g_free (result->code);
  g_free (result->message);
  g_free (result->field);
  g_free (result->current);
  g_free (result);
}

/* ---- the object ----------------------------------------------------------------------------- */

static void
zh_client_dispose (GObject *object)
{
  ZhClient *self = ZH_CLIENT (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (zh_client_parent_class)->dispose (object);
}

static void
zh_client_finalize (GObject *object)
{
  ZhClient *self = ZH_CLIENT (object);

  g_clear_pointer (&self->base_uri, g_uri_unref);
  g_clear_pointer (&self->base_url, g_free);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_clear_pointer (&self->token, g_free);
  g_clear_object (&self->extra_cas);

  G_OBJECT_CLASS (zh_client_parent_class)->finalize (object);
}

static void
zh_client_class_init (ZhClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = zh_client_dispose;
  object_class->finalize = zh_client_finalize;
}

static void
zh_client_init (ZhClient *self)
{
  /* No proxy resolver from the environment would change loopback tests; the session uses the
   * system's certificate database, and a certificate that fails its checks is refused unless it
   * passes them all against the account's own certificate authorities (accept_certificate_cb). */
  self->session = soup_session_new_with_options ("timeout", ZH_CLIENT_DEFAULT_TIMEOUT,
                                                 "idle-timeout", 60,
                                                 "user-agent", "Zhurnal/" PACKAGE_VERSION " ",
                                                 NULL);
}

/* zh_client_new: (transfer full): a client of the service at @base_url ("https://host:port",
 * with or without a trailing "/api/v1"); NULL with ZH_CLIENT_ERROR_REQUEST when @base_url is not
 * an http or https URL. */
ZhClient *
zh_client_new (const char  *base_url,
               GError     **error)
{
  g_autoptr(ZhClient) self = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *path = NULL;
  const char *scheme;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || scheme == NULL || g_uri_get_host (uri) == NULL ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    {
      g_set_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_REQUEST,
                   _("“%s” is not the address of a journal service (http://host:port or "
                     "https://host:port)."), base_url);
      return NULL;
    }

  path = g_strdup (g_uri_get_path (uri));
  while (g_str_has_suffix (path, "/"))
    path[strlen (path) - 1] = '\0';
  if (g_str_has_suffix (path, API_PREFIX))
    path[strlen (path) - strlen (API_PREFIX)] = '\0';

  self = g_object_new (ZH_TYPE_CLIENT, NULL);
  self->base_uri = g_uri_build (G_URI_FLAGS_NONE, scheme, NULL, g_uri_get_host (uri),
                                g_uri_get_port (uri), path, NULL, NULL);
  self->base_url = g_uri_to_string (self->base_uri);
  return g_steal_pointer (&self);
}

/* zh_client_get_base_url: the service's address as given, without "/api/v1". */
const char *
zh_client_get_base_url (ZhClient *self)
{
  g_return_val_if_fail (ZH_IS_CLIENT (self), NULL);

  return self->base_url;
}

/* zh_client_get_token: the bearer token of the session, or NULL before a sign-in. */
const char *
zh_client_get_token (ZhClient *self)
{
  g_return_val_if_fail (ZH_IS_CLIENT (self), NULL);

  return self->token;
}

/* zh_client_set_token: use @token (a kept session) for the requests that follow; NULL forgets it. */
void
zh_client_set_token (ZhClient   *self,
                     const char *token)
{
  g_return_if_fail (ZH_IS_CLIENT (self));

  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  self->token = g_strdup (token);
}

/* zh_client_set_timeout: give up a connection attempt or a read after @seconds (0: never). */
void
zh_client_set_timeout (ZhClient *self,
                       guint     seconds)
{
  g_return_if_fail (ZH_IS_CLIENT (self));

  g_object_set (self->session, "timeout", seconds, NULL);
}

/* zh_client_set_ca_file: trust the certificate authorities in the PEM file @path for this service,
 * besides the system's (a region's or a school's own CA); NULL trusts the system's only. FALSE
 * with a GIO error when the file cannot be read or holds no certificate. */
gboolean
zh_client_set_ca_file (ZhClient    *self,
                       const char  *path,
                       GError     **error)
{
  g_autolist(GTlsCertificate) certificates = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (ZH_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (path == NULL)
    {
      g_clear_object (&self->extra_cas);
      return TRUE;
    }
  certificates = g_tls_certificate_list_new_from_file (path, &local_error);
  if (certificates != NULL)
    database = g_tls_file_database_new (path, &local_error);
  if (database == NULL)
    {
      if (local_error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("The file “%s” holds no certificate (PEM) of a certificate authority."),
                     path);
      else
        g_set_error (error, local_error->domain, local_error->code,
                     _("Cannot read the certificate authorities in “%s”: %s"), path,
                     local_error->message);
      return FALSE;
    }
  g_set_object (&self->extra_cas, database);
  return TRUE;
}

/* ---- sending and reading -------------------------------------------------------------------- */

/* A request in flight: the message, where it goes (for messages), and the body read so far. */
typedef struct
{
  SoupMessage *msg;
  char        *what;         /* "GET /api/v1/changes", for messages */
  GInputStream *stream;
  GByteArray  *body;
  GTlsCertificateFlags tls_errors; /* what was wrong with a refused certificate */
  guint        status;       /* copied from the message once its headers are in, so that a */
  char        *reason;       /* worker thread can check the reply without touching the message */
  gboolean     json_type;
  gpointer     data;         /* the operation's own data */
  GDestroyNotify data_free;
  ZhChangesAheadFunc ahead;  /* a page of the changes feed: told its header as soon as it is in */
  gpointer     ahead_data;
} Request;

static void
request_free (gpointer data)
{
  Request *request = data;

  g_clear_object (&request->msg);
  g_free (request->what);
  g_free (request->reason);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->body, g_byte_array_unref);
  if (request->data_free != NULL)
    request->data_free (request->data);
  g_free (request);
}

/* Why a certificate was refused, in words, from the worst of @errors. */
static const char *
describe_certificate_errors (GTlsCertificateFlags errors)
{
  if (errors & G_TLS_CERTIFICATE_REVOKED)
    return _("its certificate has been revoked");
  if (errors & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return _("its certificate was issued for another host name");
  if (errors & G_TLS_CERTIFICATE_EXPIRED)
    return _("its certificate has expired");
  if (errors & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    return _("its certificate is not valid yet (or this computer’s clock is wrong)");
  if (errors & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return _("its certificate is not signed by a certificate authority this computer trusts");
  if (errors & G_TLS_CERTIFICATE_INSECURE)
    return _("its certificate uses insecure cryptography");
  return _("its certificate is not valid");
}

/* Map a failure to send or read to the client's domain; cancellation stays G_IO_ERROR_CANCELLED.
 * @tls_errors: what accept_certificate_cb found wrong with the certificate, if anything. */
static GError *
map_transport_error (ZhClient             *self,
                     const char           *what,
                     GTlsCertificateFlags  tls_errors,
                     GError               *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE))
    return g_error_new (ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_TLS,
                        _("Cannot make a secure (TLS) connection to the journal service at %s: "
                          "this computer has no TLS support (install glib-networking): %s"),
                        self->base_url, error->message);
  if (error->domain == G_TLS_ERROR || tls_errors != 0)
    return g_error_new (ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_TLS,
                        _("Zhurnal refused to connect to the journal service at %s: %s. Someone "
                          "may be intercepting the connection and posing as the service; nothing "
                          "was sent. Ask the school’s administrator to check the service’s "
                          "certificate."),
                        self->base_url, describe_certificate_errors (tls_errors));
  if (error->domain == SOUP_SESSION_ERROR)
    return g_error_new (ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_SERVER,
                        _("The journal service at %s is unavailable: its answer to %s is not "
                          "HTTP (%s)."),
                        self->base_url, what, error->message);
  return g_error_new (ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_NETWORK,
                      _("Cannot reach the journal service at %s: %s"),
                      self->base_url, error->message);
}

/* The system refused the service's certificate: accept it only when it passes every check against
 * the account's own certificate authorities, the host name included; otherwise keep what is wrong
 * for the message. */
static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  GTask *task = user_data;
  ZhClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);

  if (self->extra_cas != NULL)
    {
      g_autoptr(GSocketConnectable) identity = NULL;
      int port = g_uri_get_port (self->base_uri);

      identity = g_network_address_new (g_uri_get_host (self->base_uri),
                                        port > 0 ? port : 443);
      errors = g_tls_database_verify_chain (self->extra_cas, certificate,
                                            G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER, identity,
                                            NULL, G_TLS_DATABASE_VERIFY_NONE,
                                            g_task_get_cancellable (task), NULL);
      if (errors == 0)
        return TRUE;
    }
  request->tls_errors = errors;
  return FALSE;
}

static void read_chunk (GTask *task);
static void peek_ahead (Request *request);
static gboolean is_json_type (SoupMessage *msg);

static void
read_chunk_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZhClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, map_transport_error (self, request->what, request->tls_errors,
                                                      error));
      return;
    }
  if (g_bytes_get_size (bytes) == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (request->body->len + g_bytes_get_size (bytes) > ZH_CLIENT_MAX_REPLY)
    {
      g_task_return_new_error (task, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL,
                               _("The journal service at %s sent a reply to %s larger than "
                                 "%d MiB."), self->base_url, request->what,
                               ZH_CLIENT_MAX_REPLY / (1024 * 1024));
      return;
    }
  g_byte_array_append (request->body, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (request->ahead != NULL)
    peek_ahead (request);
  read_chunk (g_steal_pointer (&task));
}

/* A page of the changes feed whose `next` and `more` came first: tell the caller at once, so the
 * following page is asked for while this one is still read and decoded. Told once at most. */
static void
peek_ahead (Request *request)
{
  gint64 next;
  gboolean more;
  ZhFeedHeader header;
  ZhChangesAheadFunc ahead = request->ahead;

  if (request->status != SOUP_STATUS_OK || !request->json_type)
    header = ZH_FEED_HEADER_ABSENT;
  else
    header = _zh_feed_peek_header (request->body->data, request->body->len, &next, &more);
  if (header == ZH_FEED_HEADER_NEED_MORE)
    return;
  request->ahead = NULL;
  if (header == ZH_FEED_HEADER_FOUND)
    ahead (next, more, request->ahead_data);
}

static void
read_chunk (GTask *task)
{
  Request *request = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_chunk_cb, task);
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZhClient *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  request->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (request->stream == NULL)
    {
      g_task_return_error (task, map_transport_error (self, request->what, request->tls_errors,
                                                      error));
      return;
    }
  request->status = soup_message_get_status (request->msg);
  request->reason = g_strdup (soup_message_get_reason_phrase (request->msg));
  request->json_type = is_json_type (request->msg);
  {
    /* A page of the feed is megabytes: read into its whole size at once when the service says
     * it, rather than growing (and copying) the array as it comes. */
    goffset length = soup_message_headers_get_content_length (soup_message_get_response_headers (request->msg));

    request->body = g_byte_array_sized_new (length > 0 && length <= ZH_CLIENT_MAX_REPLY ? (guint) length : 0);
  }
  read_chunk (g_steal_pointer (&task));
}

/* Send @method @path (under /api/v1) with @body (JSON text or NULL) and read the whole reply;
 * the task's data is the Request, which carries the status and the body when it returns TRUE. */
static GTask *
start_request (ZhClient            *self,
               const char          *method,
               const char          *path,
               const char          *query,
               GBytes              *body,
               gboolean             authorized,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *full_path = g_strconcat (g_uri_get_path (self->base_uri), API_PREFIX, path, NULL);
  g_autoptr(GUri) uri = NULL;
  Request *request = g_new0 (Request, 1);

  uri = g_uri_build (G_URI_FLAGS_ENCODED_QUERY, g_uri_get_scheme (self->base_uri), NULL,
                     g_uri_get_host (self->base_uri), g_uri_get_port (self->base_uri),
                     full_path, query, NULL);
  request->msg = soup_message_new_from_uri (method, uri);
  request->what = g_strdup_printf ("%s %s", method, full_path);
  g_task_set_task_data (task, request, request_free);

  /* A redirect is not the service answering: a captive portal or a misconfigured proxy. */
  soup_message_add_flags (request->msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (request->msg), "Accept",
                                "application/json");
  if (authorized && self->token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (request->msg),
                                    "Authorization", value);
    }
  if (body != NULL)
    soup_message_set_request_body_from_bytes (request->msg, "application/json", body);

  g_signal_connect_object (request->msg, "accept-certificate", G_CALLBACK (accept_certificate_cb),
                           task, 0);
  soup_session_send_async (self->session, request->msg, G_PRIORITY_DEFAULT, cancellable,
                           send_cb, g_object_ref (task));
  return g_steal_pointer (&task);
}

/* ---- checking replies ----------------------------------------------------------------------- */

/* Whether @text nests no deeper than ZH_CLIENT_MAX_DEPTH: json-glib parses recursively, and a
 * hostile or broken reply must not exhaust the stack. */
static gboolean
depth_ok (const char *text,
          gsize       length)
{
  gboolean in_string = FALSE;
  int depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

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
      else if (c == '{' || c == '[')
        {
          if (++depth > ZH_CLIENT_MAX_DEPTH)
            return FALSE;
        }
      else if (c == '}' || c == ']')
        depth--;
    }
  return TRUE;
}

static gboolean
is_json_type (SoupMessage *msg)
{
  const char *type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg),
                                                            NULL);

  return type != NULL && (g_ascii_strcasecmp (type, "application/json") == 0 ||
                          (g_str_has_prefix (type, "application/") && g_str_has_suffix (type, "+json")));
}

/* Parse @body as JSON; NULL when it is not JSON (not UTF-8, too deep, broken). */
static JsonNode *
parse_json (const guint8 *body,
            gsize         length)
{
  g_autoptr(JsonParser) parser = NULL;

  if (length == 0 || !g_utf8_validate ((const char *) body, (gssize) length, NULL) ||
      !depth_ok ((const char *) body, length))
    return NULL;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, (const char *) body, (gssize) length, NULL))
    return NULL;
  if (json_parser_get_root (parser) == NULL)
    return NULL;
  return json_node_ref (json_parser_get_root (parser));
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The service's {code, message, field} error body, or NULL. */
static const char *
error_message (JsonNode *root)
{
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return member_string (json_node_get_object (root), "message");
}

/* Anything but JSON — a maintenance page, a proxy's error page, a truncated body — means the
 * service is not answering as itself (DESIGN.md §3). */
static void
not_its_data (ZhClient  *self,
              Request   *request,
              GError   **error)
{
  g_set_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_SERVER,
               _("The journal service at %s is unavailable: it answered %s with “%u %s” "
                 "and a body that is not its data."),
               self->base_url, request->what, request->status,
               request->reason != NULL ? request->reason : "");
}

/* Check the reply of @request: the expected status and a JSON body. Returns the parsed body
 * (an empty object for a body-less 204), or NULL with @error set. Runs in any thread. */
static JsonNode *
check_reply (ZhClient  *self,
             Request   *request,
             guint      expected_status,
             GError   **error)
{
  guint status = request->status;
  const char *reason = request->reason;
  g_autoptr(JsonNode) root = NULL;
  const char *message;

  if (status == expected_status && status == SOUP_STATUS_NO_CONTENT)
    return json_node_init_object (json_node_alloc (), json_object_new ());

  if (request->json_type)
    root = parse_json (request->body->data, request->body->len);

  if (root == NULL)
    {
      not_its_data (self, request, error);
      return NULL;
    }

  if (status == expected_status)
    return g_steal_pointer (&root);

  message = error_message (root);
  if (message == NULL)
    message = reason != NULL ? reason : "";

  if (status == SOUP_STATUS_UNAUTHORIZED)
    g_set_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_UNAUTHORIZED,
                 _("The journal service at %s did not accept the sign-in: %s"),
                 self->base_url, message);
  else if (status == SOUP_STATUS_FORBIDDEN)
    g_set_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_FORBIDDEN,
                 _("The journal service at %s does not allow %s: %s"),
                 self->base_url, request->what, message);
  else if (status >= 400 && status < 500)
    g_set_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_REQUEST,
                 _("The journal service at %s refused %s (%u): %s"),
                 self->base_url, request->what, status, message);
  else if (status >= 300 && status < 600)
    g_set_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_SERVER,
                 _("The journal service at %s is unavailable: it answered %s with “%u %s”: %s"),
                 self->base_url, request->what, status, reason != NULL ? reason : "", message);
  else
    g_set_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL,
                 _("The journal service at %s answered %s with the unexpected status %u."),
                 self->base_url, request->what, status);
  return NULL;
}

/* Set a protocol error: the reply to @what does not follow the contract; @detail says where. */
static gboolean G_GNUC_PRINTF (4, 5)
protocol_error (ZhClient   *self,
                const char *what,
                GError    **error,
                const char *format,
                ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL,
               _("The journal service at %s sent a reply to %s that does not follow the API: %s"),
               self->base_url, what, detail);
  return FALSE;
}

static gboolean
get_int_member (JsonObject *object,
                const char *name,
                gint64     *value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

/* ---- sign-in, sign-out, probe --------------------------------------------------------------- */

typedef struct
{
  ZhStaff *staff;
  gint64   expires;
} LoginResult;

static void
login_result_free (gpointer data)
{
  LoginResult *result = data;

  g_clear_pointer (&result->staff, zh_staff_free);
  g_free (result);
}

static void
login_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZhClient *self = ZH_CLIENT (source);
  Request *request = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(ZhStaff) staff = NULL;
  LoginResult *login;
  JsonObject *object;
  const char *token;
  const char *expires_text;
  gint64 expires;

  if (!g_task_propagate_boolean (G_TASK (result), &error) ||
      (root = check_reply (self, request, SOUP_STATUS_CREATED, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      protocol_error (self, request->what, &error, "%s", _("the reply is not an object"));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  object = json_node_get_object (root);
  token = member_string (object, "token");
  expires_text = member_string (object, "expires");
  if (token == NULL || *token == '\0' || strpbrk (token, " \t\r\n") != NULL)
    protocol_error (self, request->what, &error, _("the member “%s” is missing or not a token"), "token");
  else if (expires_text == NULL || !zh_time_from_iso8601 (expires_text, &expires))
    protocol_error (self, request->what, &error, _("the member “%s” is missing or not a time"), "expires");
  else if (!json_object_has_member (object, "staff"))
    protocol_error (self, request->what, &error, _("the member “%s” is missing"), "staff");
  else
    {
      g_autoptr(GError) staff_error = NULL;

      staff = zh_staff_from_json (json_object_get_member (object, "staff"), &staff_error);
      if (staff == NULL)
        protocol_error (self, request->what, &error, "%s", staff_error->message);
    }
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  zh_client_set_token (self, token);
  login = g_new0 (LoginResult, 1);
  login->staff = g_steal_pointer (&staff);
  login->expires = expires;
  g_task_return_pointer (task, login, login_result_free);
}

/* zh_client_login_async: sign in with @login and @password (POST /session); on success the client
 * keeps the session's token for the requests that follow. */
void
zh_client_login_async (ZhClient            *self,
                       const char          *login,
                       const char          *password,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(ZhJsonWriter) writer = zh_json_writer_new (body);
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (ZH_IS_CLIENT (self));
  g_return_if_fail (login != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zh_client_login_async);

  zh_json_writer_begin_object (writer);
  zh_json_writer_key (writer, "login");
  zh_json_writer_string (writer, login);
  zh_json_writer_key (writer, "password");
  zh_json_writer_string (writer, password);
  zh_json_writer_end_object (writer);
  bytes = g_bytes_new (body->str, body->len);
  /* The password leaves memory as soon as the request is built. */
  memset (body->str, 0, body->len);

  inner = start_request (self, "POST", "/session", NULL, bytes, FALSE, cancellable,
                         login_cb, g_object_ref (task));
}

/* zh_client_login_finish: (transfer full): the signed-in staff member, with the session's end in
 * @expires (seconds since the epoch); NULL with @error set. */
ZhStaff *
zh_client_login_finish (ZhClient      *self,
                        GAsyncResult  *result,
                        gint64        *expires,
                        GError       **error)
{
  LoginResult *login;
  ZhStaff *staff;

  g_return_val_if_fail (ZH_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  login = g_task_propagate_pointer (G_TASK (result), error);
  if (login == NULL)
    return NULL;
  if (expires != NULL)
    *expires = login->expires;
  staff = g_steal_pointer (&login->staff);
  login_result_free (login);
  return staff;
}

static void
logout_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZhClient *self = ZH_CLIENT (source);
  Request *request = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) ||
      (root = check_reply (self, request, SOUP_STATUS_NO_CONTENT, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  zh_client_set_token (self, NULL);
  g_task_return_boolean (task, TRUE);
}

/* zh_client_logout_async: end the session (DELETE /session, 002 §4.5) and forget its token. */
void
zh_client_logout_async (ZhClient            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;

  g_return_if_fail (ZH_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zh_client_logout_async);
  inner = start_request (self, "DELETE", "/session", NULL, NULL, TRUE, cancellable,
                         logout_cb, g_object_ref (task));
}

/* zh_client_logout_finish: whether the session ended. */
gboolean
zh_client_logout_finish (ZhClient      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (ZH_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
probe_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZhClient *self = ZH_CLIENT (source);
  Request *request = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 api;

  if (!g_task_propagate_boolean (G_TASK (result), &error) ||
      (root = check_reply (self, request, SOUP_STATUS_OK, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      member_string (json_node_get_object (root), "service") == NULL ||
      !get_int_member (json_node_get_object (root), "api", &api) || api != 1)
    {
      protocol_error (self, request->what, &error, "%s", _("it does not describe a service of API version 1"));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* zh_client_probe_async: ask whether the service answers (GET /status, no sign-in needed). */
void
zh_client_probe_async (ZhClient            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;

  g_return_if_fail (ZH_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zh_client_probe_async);
  inner = start_request (self, "GET", "/status", NULL, NULL, FALSE, cancellable,
                         probe_cb, g_object_ref (task));
}

/* zh_client_probe_finish: TRUE when the service answered as itself. */
gboolean
zh_client_probe_finish (ZhClient      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (ZH_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the changes feed ----------------------------------------------------------------------- */

/* Check and decode one page of the changes feed (any thread). A page is decoded as it is parsed,
 * straight into entity structs (zh-feed-decoder.c); other replies are checked as any other. */
static ZhChangesPage *
parse_changes (ZhClient  *self,
               Request   *request,
               gint64     since,
               guint      limit,
               GError   **error)
{
  g_autoptr(ZhFeedDecoder) decoder = NULL;
  g_autoptr(GError) local_error = NULL;
  ZhChangesPage *page;

  if (request->status != SOUP_STATUS_OK || !request->json_type)
    {
      g_autoptr(JsonNode) root = check_reply (self, request, SOUP_STATUS_OK, error);

      g_assert (root == NULL);
      return NULL;
    }

  decoder = _zh_feed_decoder_new (since, limit);
  if (_zh_feed_decoder_feed (decoder, request->body->data, request->body->len, &local_error) &&
      (page = _zh_feed_decoder_finish (decoder, &local_error)) != NULL)
    return page;
  if (g_error_matches (local_error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_SERVER))
    {
      g_debug ("the reply to %s is not JSON: %s", request->what, local_error->message);
      not_its_data (self, request, error);
    }
  else
    protocol_error (self, request->what, error, "%s", local_error->message);
  return NULL;
}

typedef struct
{
  gint64   since;
  guint    limit;
  Request *request;   /* (owned) */
} ChangesQuery;

static void
changes_query_free (gpointer data)
{
  ChangesQuery *query = data;

  g_clear_pointer (&query->request, request_free);
  g_free (query);
}

static void
parse_changes_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  ChangesQuery *query = task_data;
  GError *error = NULL;
  ZhChangesPage *page;

  page = parse_changes (source_object, query->request, query->since, query->limit, &error);
  if (page == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, page, (GDestroyNotify) zh_changes_page_free);
}

static void
changes_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ChangesQuery *query = g_task_get_task_data (task);
  Request *request = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* The reply is read; checking and decoding thousands of rows happens off the main context. The
   * request moves to the parsing task (the finished send task lets go of it). */
  query->request = g_new0 (Request, 1);
  query->request->what = g_steal_pointer (&request->what);
  query->request->body = g_steal_pointer (&request->body);
  query->request->status = request->status;
  query->request->reason = g_steal_pointer (&request->reason);
  query->request->json_type = request->json_type;
  g_task_run_in_thread (task, parse_changes_thread);
}

/* zh_client_get_changes_async: ask for at most @limit changes after the rev @since (GET /changes);
 * the reply is checked and decoded in a worker thread. */
void
zh_client_get_changes_async (ZhClient            *self,
                             gint64               since,
                             guint                limit,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  zh_client_get_changes_ahead_async (self, since, limit, NULL, NULL, cancellable, callback,
                                     user_data);
}

/* zh_client_get_changes_ahead_async: as zh_client_get_changes_async, and @ahead (if not NULL) is
 * called with the page's `next` and `more` as soon as the first bytes of the reply give them,
 * before the page is read whole and decoded; @ahead_data must live until @callback is called.
 * Not called when the reply gives them only at its end, or is not a page; what it says is the
 * page's own, checked again by the decoder. */
void
zh_client_get_changes_ahead_async (ZhClient            *self,
                                   gint64               since,
                                   guint                limit,
                                   ZhChangesAheadFunc   ahead,
                                   gpointer             ahead_data,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;
  g_autofree char *query_text = NULL;
  ChangesQuery *query;
  Request *request;

  g_return_if_fail (ZH_IS_CLIENT (self));
  g_return_if_fail (since >= 0);
  g_return_if_fail (limit >= 1);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zh_client_get_changes_async);
  query = g_new0 (ChangesQuery, 1);
  query->since = since;
  query->limit = limit;
  g_task_set_task_data (task, query, changes_query_free);

  query_text = g_strdup_printf ("since=%" G_GINT64_FORMAT "&limit=%u", since, limit);
  inner = start_request (self, "GET", "/changes", query_text, NULL, TRUE, cancellable,
                         changes_cb, g_object_ref (task));
  /* Sent asynchronously: nothing of the reply is read before this returns. */
  request = g_task_get_task_data (inner);
  request->ahead = ahead;
  request->ahead_data = ahead_data;
}

/* zh_client_get_changes_finish: (transfer full): the checked page, or NULL with @error set. */
ZhChangesPage *
zh_client_get_changes_finish (ZhClient      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (ZH_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the batch ------------------------------------------------------------------------------ */

/* Check the results of a batch against the operations sent: one per operation, in order. */
static GPtrArray *
parse_batch (ZhClient   *self,
             Request    *request,
             GPtrArray  *operations,
             GError    **error)
{
  g_autoptr(JsonNode) root = check_reply (self, request, SOUP_STATUS_OK, error);
  g_autoptr(GPtrArray) results = NULL;
  JsonNode *node;
  JsonArray *array;

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      (node = json_object_get_member (json_node_get_object (root), "results")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (node))
    return protocol_error (self, request->what, error, _("the member “%s” is missing or not an array"),
                           "results"), NULL;
  array = json_node_get_array (node);
  if (json_array_get_length (array) != operations->len)
    return protocol_error (self, request->what, error,
                           _("%u results answer %u operations"),
                           json_array_get_length (array), operations->len), NULL;

  results = g_ptr_array_new_with_free_func ((GDestroyNotify) zh_op_result_free);
  for (guint i = 0; i < operations->len; i++)
    {
      ZhOperation *op = operations->pdata[i];
      JsonNode *item_node = json_array_get_element (array, i);
      JsonObject *item;
      ZhOpResult *result;
      const char *status;
      int status_value;

      if (!JSON_NODE_HOLDS_OBJECT (item_node))
        return protocol_error (self, request->what, error, _("result %u is not an object"), i), NULL;
      item = json_node_get_object (item_node);
      if (g_strcmp0 (member_string (item, "op_id"), op->op_id) != 0)
        return protocol_error (self, request->what, error,
                               _("result %u does not answer operation %s"), i, op->op_id), NULL;
      status = member_string (item, "status");
      if (status == NULL || !zh_enum_from_nick (ZH_TYPE_OP_STATUS, status, &status_value))
        return protocol_error (self, request->what, error,
                               _("result %u has no known status"), i), NULL;

      result = g_new0 (ZhOpResult, 1);
      g_ptr_array_add (results, result);
      result->op_id = g_strdup (op->op_id);
      result->status = status_value;

      switch (result->status)
        {
        case ZH_OP_STATUS_APPLIED:
          if (!get_int_member (item, "rev", &result->rev) || result->rev <= 0)
            return protocol_error (self, request->what, error,
                                   _("result %u is applied but has no rev"), i), NULL;
          break;
        case ZH_OP_STATUS_REJECTED:
          {
            JsonNode *field = json_object_get_member (item, "field");

            result->code = g_strdup (member_string (item, "code"));
            result->message = g_strdup (member_string (item, "message"));
            if (result->code == NULL || result->message == NULL)
              return protocol_error (self, request->what, error,
                                     _("result %u is rejected but says not why"), i), NULL;
            if (field != NULL && !JSON_NODE_HOLDS_NULL (field))
              {
                if (member_string (item, "field") == NULL)
                  return protocol_error (self, request->what, error,
                                         _("result %u names its field with something not text"), i), NULL;
                result->field = g_strdup (member_string (item, "field"));
              }
          }
          break;
        case ZH_OP_STATUS_CONFLICT:
          {
            JsonNode *current = json_object_get_member (item, "current");
            g_autoptr(GError) value_error = NULL;
            gpointer value;

            if (current == NULL)
              return protocol_error (self, request->what, error,
                                     _("result %u is a conflict without the service’s row"), i), NULL;
            if (JSON_NODE_HOLDS_NULL (current))
              break;
            value = zh_entity_from_json (op->info, current, &value_error);
            if (value == NULL)
              return protocol_error (self, request->what, error, _("result %u: %s"), i,
                                     value_error->message), NULL;
            if (g_strcmp0 (((ZhEntity *) value)->id, op->id) != 0)
              {
                zh_entity_free (op->info, value);
                return protocol_error (self, request->what, error,
                                       _("result %u: the service’s row is another row"), i), NULL;
              }
            result->current = zh_entity_to_string (op->info, value);
            zh_entity_free (op->info, value);
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
  return g_steal_pointer (&results);
}

static void
batch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ZhClient *self = ZH_CLIENT (source);
  Request *request = g_task_get_task_data (G_TASK (result));
  GPtrArray *operations = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *results;

  if (!g_task_propagate_boolean (G_TASK (result), &error) ||
      (results = parse_batch (self, request, operations, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
}

/* zh_client_post_batch_async: send @operations (ZhOperation *, 1 to 500) in one POST /batch. */
void
zh_client_post_batch_async (ZhClient            *self,
                            GPtrArray           *operations,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(ZhJsonWriter) writer = zh_json_writer_new (body);
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (ZH_IS_CLIENT (self));
  g_return_if_fail (operations != NULL && operations->len >= 1 && operations->len <= 500);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zh_client_post_batch_async);
  g_task_set_task_data (task, g_ptr_array_ref (operations), (GDestroyNotify) g_ptr_array_unref);

  zh_json_writer_begin_object (writer);
  zh_json_writer_key (writer, "operations");
  zh_json_writer_begin_array (writer);
  for (guint i = 0; i < operations->len; i++)
    {
      ZhOperation *op = operations->pdata[i];

      zh_json_writer_begin_object (writer);
      zh_json_writer_key (writer, "op_id");
      zh_json_writer_string (writer, op->op_id);
      zh_json_writer_key (writer, "entity");
      zh_json_writer_string (writer, op->info->name);
      zh_json_writer_key (writer, "action");
      zh_json_writer_string (writer, zh_enum_to_nick (ZH_TYPE_OP_ACTION, op->action));
      zh_json_writer_key (writer, "id");
      zh_json_writer_string (writer, op->id);
      zh_json_writer_key (writer, "base_rev");
      zh_json_writer_int (writer, op->base_rev);
      if (op->value != NULL)
        {
          zh_json_writer_key (writer, "value");
          zh_json_writer_raw (writer, op->value);
        }
      /* A correction goes with its reason and document (docs/api.md "Corrections"). */
      if (op->action == ZH_OP_ACTION_CORRECT && op->correction != NULL)
        {
          zh_json_writer_key (writer, "correction");
          zh_json_writer_raw (writer, op->correction);
        }
      zh_json_writer_end_object (writer);
    }
  zh_json_writer_end_array (writer);
  zh_json_writer_end_object (writer);
  bytes = g_bytes_new (body->str, body->len);

  inner = start_request (self, "POST", "/batch", NULL, bytes, TRUE, cancellable,
                         batch_cb, g_object_ref (task));
}

/* zh_client_post_batch_finish: (transfer container): the results (ZhOpResult *), one per
 * operation in the order sent; NULL with @error set when the batch as a whole failed. */
GPtrArray *
zh_client_post_batch_finish (ZhClient      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (ZH_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
