/* test-client: the HTTP client against a tiny in-test SoupServer that serves whatever body a test
 * asks for — a maintenance page, broken or deep JSON, wrong types — and, as a FAKE of the batch
 * route (written in parallel on the service's branch), answers pushes per the contract of
 * docs/api.md. Every bad reply must end in a clean error with nothing applied. */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "zh-entity-sql.h"
#include "zh-offline-private.h"
#include "zh-sync.h"
#include "zh-test-school.h"
#include "zh-test-utils.h"

typedef struct
{
  char         *dir;
  SoupServer   *server;
  char         *url;
  ZhClient     *client;
  /* What the fake serves. */
  guint         status;
  const char   *content_type;
  char         *body;
  gboolean      pause;          /* never answer */
  gboolean      fake_batch;     /* answer POST /batch per the contract: every operation applied */
  gint64        next_rev;
  guint         n_batches;
  guint         n_requests;
  GPtrArray    *paused;
} ClientFixture;

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  ClientFixture *fixture = user_data;

  fixture->n_requests++;
  if (fixture->pause)
    {
      soup_server_message_pause (msg);
      g_ptr_array_add (fixture->paused, g_object_ref (msg));
      return;
    }

  if (fixture->fake_batch && g_str_equal (path, "/api/v1/batch"))
    {
      SoupMessageBody *request = soup_server_message_get_request_body (msg);
      g_autoptr(GBytes) bytes = soup_message_body_flatten (request);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GString) answer = g_string_new ("{\"results\": [");
      JsonArray *ops;

      g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                                 (gssize) g_bytes_get_size (bytes), NULL));
      ops = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "operations");
      for (guint i = 0; i < json_array_get_length (ops); i++)
        {
          JsonObject *op = json_array_get_object_element (ops, i);

          g_string_append_printf (answer, "%s{\"op_id\": \"%s\", \"status\": \"applied\", "
                                  "\"rev\": %" G_GINT64_FORMAT "}", i > 0 ? ", " : "",
                                  json_object_get_string_member (op, "op_id"), ++fixture->next_rev);
        }
      g_string_append (answer, "]}");
      fixture->n_batches++;
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, answer->str, answer->len);
      return;
    }
  if (fixture->fake_batch && g_str_equal (path, "/api/v1/changes"))
    {
      g_autofree char *empty = g_strdup_printf ("{\"changes\": [], \"next\": %s, \"more\": false}",
                                                (const char *) g_hash_table_lookup (query, "since"));

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, empty, strlen (empty));
      return;
    }

  soup_server_message_set_status (msg, fixture->status, NULL);
  if (fixture->status >= 300 && fixture->status < 400)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location",
                                  "http://127.0.0.1:1/portal");
  if (fixture->body != NULL)
    soup_server_message_set_response (msg, fixture->content_type, SOUP_MEMORY_COPY,
                                      fixture->body, strlen (fixture->body));
}

static void
client_setup (ClientFixture *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *uri = NULL;

  fixture->dir = zh_test_tmpdir_new ();
  fixture->paused = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, handler, fixture, NULL);
  g_assert_true (soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  uri = g_uri_to_string (uris->data);
  fixture->url = g_strndup (uri, strlen (uri) - (g_str_has_suffix (uri, "/") ? 1 : 0));
  fixture->client = zh_client_new (fixture->url, &error);
  g_assert_no_error (error);
  zh_client_set_token (fixture->client, "test-token");
  fixture->status = 200;
  fixture->content_type = "application/json";
  fixture->next_rev = 1000;
}

static void
client_teardown (ClientFixture *fixture,
                 gconstpointer  data)
{
  g_clear_object (&fixture->client);
  for (guint i = 0; i < fixture->paused->len; i++)
    soup_server_message_unpause (fixture->paused->pdata[i]);
  g_clear_pointer (&fixture->paused, g_ptr_array_unref);
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_free (fixture->url);
  g_free (fixture->body);
  zh_test_tmpdir_free (fixture->dir);
}

/* ---- waiting for async results -------------------------------------------------------------- */

static gboolean
too_long_cb (gpointer data)
{
  g_error ("the test waited more than 30 seconds");
  return G_SOURCE_REMOVE;
}

static void
got_result_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  guint guard = g_timeout_add_seconds (30, too_long_cb, NULL);

  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
  return *slot;
}

static ZhChangesPage *
get_changes (ClientFixture  *fixture,
             GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  zh_client_get_changes_async (fixture->client, 0, 100, NULL, got_result_cb, &result);
  return zh_client_get_changes_finish (fixture->client, wait_result (&result), error);
}

static void
serve (ClientFixture *fixture,
       guint          status,
       const char    *content_type,
       const char    *body)
{
  fixture->status = status;
  fixture->content_type = content_type;
  g_free (fixture->body);
  fixture->body = g_strdup (body);
}

static void
expect_changes_error (ClientFixture *fixture,
                      int            code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhChangesPage) page = get_changes (fixture, &error);

  g_assert_null (page);
  g_assert_error (error, ZH_CLIENT_ERROR, code);
  /* Messages say where: the service's address. */
  g_assert_nonnull (strstr (error->message, fixture->url));
}

/* ---- replies -------------------------------------------------------------------------------- */

/* During maintenance a service answers HTML: "service unavailable", whatever the status
 * (DESIGN.md §3, after Дневник.ру). */
static void
test_html_maintenance_page (ClientFixture *fixture,
                            gconstpointer  data)
{
  serve (fixture, 200, "text/html", "<html><body>Технические работы</body></html>");
  expect_changes_error (fixture, ZH_CLIENT_ERROR_SERVER);
  serve (fixture, 503, "text/html", "<html><body>Service Unavailable</body></html>");
  expect_changes_error (fixture, ZH_CLIENT_ERROR_SERVER);
  serve (fixture, 502, "text/plain", NULL);
  expect_changes_error (fixture, ZH_CLIENT_ERROR_SERVER);
}

static void
test_broken_json (ClientFixture *fixture,
                  gconstpointer  data)
{
  g_autoptr(GString) deep = g_string_new (NULL);

  serve (fixture, 200, "application/json", "{\"changes\": [{\"rev\": 1, \"entity\": \"sch");
  expect_changes_error (fixture, ZH_CLIENT_ERROR_SERVER);
  serve (fixture, 200, "application/json", "{\"changes\": [], \"next\": 0, \"more\": false, \"x\": \"\xff\xfe\"}");
  expect_changes_error (fixture, ZH_CLIENT_ERROR_SERVER);
  serve (fixture, 200, "application/json", "");
  expect_changes_error (fixture, ZH_CLIENT_ERROR_SERVER);

  /* Nesting deep enough to exhaust a recursive parser's stack is refused before parsing. */
  for (guint i = 0; i < 200000; i++)
    g_string_append_c (deep, '[');
  serve (fixture, 200, "application/json", deep->str);
  expect_changes_error (fixture, ZH_CLIENT_ERROR_SERVER);
}

/* JSON that is not what the contract says is a protocol error, never half-read. */
static void
test_wrong_shapes (ClientFixture *fixture,
                   gconstpointer  data)
{
  static const char * const bodies[] = {
    "[]",
    "{\"changes\": [], \"next\": \"0\", \"more\": false}",
    "{\"changes\": {}, \"next\": 0, \"more\": false}",
    "{\"changes\": [], \"next\": 0, \"more\": 1}",
    "{\"changes\": [], \"next\": 0.5, \"more\": false}",
    "{\"changes\": [], \"next\": 7, \"more\": false}",
    "{\"changes\": [], \"next\": 0, \"more\": true}",
    "{\"changes\": [{\"rev\": 1, \"entity\": \"pupil\", \"id\": \"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", "
      "\"deleted\": true}], \"next\": 1, \"more\": false}",
    "{\"changes\": [{\"rev\": 2, \"entity\": \"mark\", \"id\": \"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", "
      "\"deleted\": true}, {\"rev\": 2, \"entity\": \"mark\", \"id\": \"1b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", "
      "\"deleted\": true}], \"next\": 2, \"more\": false}",
    "{\"changes\": [{\"rev\": 1, \"entity\": \"mark\", \"id\": \"not-a-uuid\", \"deleted\": true}], "
      "\"next\": 1, \"more\": false}",
    "{\"changes\": [{\"rev\": 1, \"entity\": \"subject\", \"id\": \"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", "
      "\"deleted\": false}], \"next\": 1, \"more\": false}",
    "{\"changes\": [{\"rev\": 1, \"entity\": \"subject\", \"id\": \"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", "
      "\"deleted\": false, \"value\": {\"id\": \"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"rev\": 1, "
      "\"school_id\": \"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"name\": 5, \"short_name\": \"М\"}}], "
      "\"next\": 1, \"more\": false}",
    "{\"changes\": [{\"rev\": 1, \"entity\": \"subject\", \"id\": \"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", "
      "\"deleted\": false, \"value\": {\"id\": \"1b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"rev\": 1, "
      "\"school_id\": \"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"name\": \"М\", \"short_name\": \"М\"}}], "
      "\"next\": 1, \"more\": false}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      serve (fixture, 200, "application/json", bodies[i]);
      expect_changes_error (fixture, ZH_CLIENT_ERROR_PROTOCOL);
    }
}

/* A page that follows the contract is decoded whole. */
static void
test_good_page (ClientFixture *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhChangesPage) page = NULL;
  ZhChange *change;

  serve (fixture, 200, "application/json; charset=utf-8",
         "{\"changes\": [{\"rev\": 3, \"entity\": \"subject\", \"id\": \"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", "
         "\"deleted\": false, \"value\": {\"id\": \"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"rev\": 3, "
         "\"school_id\": \"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"name\": \"Математика\", \"short_name\": \"М\"}}, "
         "{\"rev\": 9, \"entity\": \"mark\", \"id\": \"1b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"deleted\": true}], "
         "\"next\": 9, \"more\": true}");
  page = get_changes (fixture, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->changes->len, ==, 2);
  g_assert_cmpint (page->next, ==, 9);
  g_assert_true (page->more);
  change = page->changes->pdata[0];
  g_assert_true (change->info == &zh_subject_info);
  g_assert_cmpstr (((ZhSubject *) change->value)->name, ==, "Математика");
  change = page->changes->pdata[1];
  g_assert_true (change->deleted);
  g_assert_null (change->value);
}

typedef struct
{
  guint    calls;
  gint64   next;
  gboolean more;
  gboolean finished;   /* the page's own callback came first */
} Ahead;

static void
ahead_cb (gint64   next,
          gboolean more,
          gpointer user_data)
{
  Ahead *ahead = user_data;

  ahead->calls++;
  ahead->next = next;
  ahead->more = more;
}

static ZhChangesPage *
get_changes_ahead (ClientFixture  *fixture,
                   Ahead          *ahead,
                   GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  zh_client_get_changes_ahead_async (fixture->client, 0, 100, ahead_cb, ahead, NULL, got_result_cb,
                                     &result);
  wait_result (&result);
  ahead->finished = ahead->calls == 0;
  return zh_client_get_changes_finish (fixture->client, result, error);
}

/* A page that gives `next` and `more` before its changes (as the service writes it) tells them
 * before it is decoded, once; a page that gives them after, or is not a page, never does. */
static void
test_page_ahead (ClientFixture *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhChangesPage) page = NULL;
  g_autoptr(ZhChangesPage) late = NULL;
  g_autoptr(ZhChangesPage) refused = NULL;
  Ahead ahead = { 0 };

  serve (fixture, 200, "application/json",
         "{\"next\": 9, \"more\": true, \"changes\": [{\"rev\": 9, \"entity\": \"mark\", "
         "\"id\": \"1b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"deleted\": true}]}");
  page = get_changes_ahead (fixture, &ahead, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ahead.calls, ==, 1);
  g_assert_false (ahead.finished);
  g_assert_cmpint (ahead.next, ==, 9);
  g_assert_true (ahead.more);
  g_assert_cmpint (page->next, ==, 9);

  memset (&ahead, 0, sizeof ahead);
  serve (fixture, 200, "application/json",
         "{\"changes\": [], \"next\": 0, \"more\": false}");
  late = get_changes_ahead (fixture, &ahead, &error);
  g_assert_no_error (error);
  g_assert_nonnull (late);
  g_assert_cmpuint (ahead.calls, ==, 0);

  serve (fixture, 503, "application/json",
         "{\"next\": 9, \"more\": true, \"changes\": []}");
  refused = get_changes_ahead (fixture, &ahead, &error);
  g_assert_null (refused);
  g_assert_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_SERVER);
  g_assert_cmpuint (ahead.calls, ==, 0);
}

/* The service's own error bodies map to the error domain, with its message. */
static void
test_status_codes (ClientFixture *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhChangesPage) page = NULL;

  serve (fixture, 401, "application/json",
         "{\"code\": \"unauthorized\", \"message\": \"Сеанс окончен\", \"field\": null}");
  page = get_changes (fixture, &error);
  g_assert_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_UNAUTHORIZED);
  g_assert_nonnull (strstr (error->message, "Сеанс окончен"));
  g_clear_error (&error);

  serve (fixture, 403, "application/json", "{\"code\": \"forbidden\", \"message\": \"Нет прав\", \"field\": null}");
  expect_changes_error (fixture, ZH_CLIENT_ERROR_FORBIDDEN);
  serve (fixture, 400, "application/json", "{\"code\": \"invalid_value\", \"message\": \"limit\", \"field\": \"limit\"}");
  expect_changes_error (fixture, ZH_CLIENT_ERROR_REQUEST);
  serve (fixture, 500, "application/json", "{\"code\": \"internal\", \"message\": \"Ошибка\", \"field\": null}");
  expect_changes_error (fixture, ZH_CLIENT_ERROR_SERVER);
  /* A redirect is a captive portal or a proxy, not the service. */
  serve (fixture, 302, "text/html", "<a href=\"/portal\">sign in to Wi-Fi</a>");
  expect_changes_error (fixture, ZH_CLIENT_ERROR_SERVER);
}

/* Nothing listens: "offline". A service that never answers: the timeout gives up, offline too. */
static void
test_network_errors (ClientFixture *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(ZhClient) refused = NULL;
  g_autoptr(ZhChangesPage) page = NULL;
  g_autofree char *url = NULL;

  /* A port bound but not listening refuses connections. */
  g_assert_true (g_socket_bind (sock, any, TRUE, &error));
  bound = g_socket_get_local_address (sock, &error);
  url = g_strdup_printf ("http://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  refused = zh_client_new (url, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GAsyncResult) result = NULL;

    zh_client_get_changes_async (refused, 0, 10, NULL, got_result_cb, &result);
    page = zh_client_get_changes_finish (refused, wait_result (&result), &error);
  }
  g_assert_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, url));
  g_clear_error (&error);

  fixture->pause = TRUE;
  zh_client_set_timeout (fixture->client, 1);
  expect_changes_error (fixture, ZH_CLIENT_ERROR_NETWORK);
}

/* Only http and https addresses are services. */
static void
test_bad_url (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhClient) client = zh_client_new ("ftp://127.0.0.1/", &error);
  g_autoptr(ZhClient) good = NULL;

  g_assert_null (client);
  g_assert_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_REQUEST);
  g_clear_error (&error);
  good = zh_client_new ("http://127.0.0.1:8080/api/v1/", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zh_client_get_base_url (good), ==, "http://127.0.0.1:8080");
}

/* ---- the batch ------------------------------------------------------------------------------ */

static GPtrArray *
two_operations (void)
{
  GPtrArray *ops = g_ptr_array_new_with_free_func ((GDestroyNotify) zh_operation_free);

  for (guint i = 0; i < 2; i++)
    {
      ZhOperation *op = zh_operation_new ();

      op->op_id = g_strdup (i == 0 ? "9d0e3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11" : "1b2c3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11");
      op->info = &zh_subject_info;
      op->id = g_strdup ("0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11");
      op->action = i == 0 ? ZH_OP_ACTION_PUT : ZH_OP_ACTION_DELETE;
      op->value = i == 0 ? g_strdup ("{\"id\": \"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\"}") : NULL;
      g_ptr_array_add (ops, op);
    }
  return ops;
}

static GPtrArray *
post_batch (ClientFixture  *fixture,
            GPtrArray      *ops,
            GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  zh_client_post_batch_async (fixture->client, ops, NULL, got_result_cb, &result);
  return zh_client_post_batch_finish (fixture->client, wait_result (&result), error);
}

/* The answers to a batch: one per operation, in order, each checked (docs/api.md "The batch"). */
static void
test_batch_results (ClientFixture *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ops = two_operations ();
  g_autoptr(GPtrArray) results = NULL;
  ZhOpResult *result;
  static const char * const bad[] = {
    "{\"results\": [{\"op_id\": \"9d0e3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"status\": \"applied\", \"rev\": 5}]}",
    "{\"results\": [{\"op_id\": \"1b2c3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"status\": \"applied\", \"rev\": 5}, "
      "{\"op_id\": \"9d0e3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"status\": \"applied\", \"rev\": 6}]}",
    "{\"results\": [{\"op_id\": \"9d0e3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"status\": \"done\", \"rev\": 5}, "
      "{\"op_id\": \"1b2c3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"status\": \"applied\", \"rev\": 6}]}",
    "{\"results\": [{\"op_id\": \"9d0e3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"status\": \"applied\"}, "
      "{\"op_id\": \"1b2c3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"status\": \"applied\", \"rev\": 6}]}",
    "{\"results\": [{\"op_id\": \"9d0e3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"status\": \"rejected\"}, "
      "{\"op_id\": \"1b2c3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"status\": \"applied\", \"rev\": 6}]}",
    "{\"results\": [{\"op_id\": \"9d0e3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"status\": \"conflict\", "
      "\"current\": {\"id\": \"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"bogus\": 1}}, "
      "{\"op_id\": \"1b2c3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"status\": \"applied\", \"rev\": 6}]}",
  };

  serve (fixture, 200, "application/json",
         "{\"results\": [{\"op_id\": \"9d0e3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"status\": \"rejected\", "
         "\"code\": \"edit_window_closed\", \"message\": \"Поздно\", \"field\": null}, "
         "{\"op_id\": \"1b2c3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"status\": \"conflict\", \"current\": "
         "{\"id\": \"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"rev\": 8, \"school_id\": "
         "\"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", \"name\": \"Физика\", \"short_name\": \"Ф\"}}]}");
  results = post_batch (fixture, ops, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 2);
  result = results->pdata[0];
  g_assert_cmpint (result->status, ==, ZH_OP_STATUS_REJECTED);
  g_assert_cmpstr (result->code, ==, "edit_window_closed");
  g_assert_cmpstr (result->message, ==, "Поздно");
  result = results->pdata[1];
  g_assert_cmpint (result->status, ==, ZH_OP_STATUS_CONFLICT);
  g_assert_nonnull (strstr (result->current, "Физика"));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GPtrArray) none = NULL;

      serve (fixture, 200, "application/json", bad[i]);
      none = post_batch (fixture, ops, &error);
      g_assert_null (none);
      g_assert_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL);
      g_clear_error (&error);
    }
}

/* ---- ZhSync against the fake ---------------------------------------------------------------- */

typedef struct
{
  ZhOffline    *offline;
  ZhTestSchool  school;
} Copy;

static void
copy_open (ClientFixture *fixture,
           Copy          *copy)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "offline.sqlite", NULL);
  g_autoptr(ZhStaff) staff = NULL;
  ZhStore *store;

  copy->offline = zh_offline_open_path (path, &error);
  g_assert_no_error (error);
  store = zh_offline_get_store (copy->offline);
  zh_test_school_fill (store, &copy->school, 21);
  g_assert_true (zh_store_exec (store, "UPDATE lesson SET rev = 50", &error));
  staff = zh_store_get_entity (store, &zh_staff_info, copy->school.teacher_id, &error);
  g_assert_true (zh_offline_set_account (copy->offline, fixture->url, staff, &error));
  g_assert_no_error (error);
}

static void
copy_close (Copy *copy)
{
  zh_test_school_clear (&copy->school);
  g_clear_object (&copy->offline);
}

static char *
dump_copy (ZhOffline *offline)
{
  GString *out = g_string_new (NULL);
  sqlite3 *db = zh_store_get_db (zh_offline_get_store (offline));
  static const char * const sql[] = {
    "SELECT id, rev, topic FROM lesson ORDER BY id", "SELECT id, rev FROM mark ORDER BY id",
    "SELECT * FROM outbox ORDER BY seq", "SELECT * FROM shadow ORDER BY 1, 2",
    "SELECT * FROM meta ORDER BY key",
  };

  for (guint i = 0; i < G_N_ELEMENTS (sql); i++)
    {
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql[i], -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            g_string_append_printf (out, "%s|", (const char *) sqlite3_column_text (stmt, c));
          g_string_append_c (out, '\n');
        }
      sqlite3_finalize (stmt);
    }
  return g_string_free (out, FALSE);
}

static gboolean
run_sync (ZhSync  *sync,
          GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  zh_sync_run_async (sync, NULL, got_result_cb, &result);
  return zh_sync_run_finish (sync, wait_result (&result), error);
}

/* A bad reply to the feed applies nothing and says the service is unavailable. */
static void
test_sync_bad_reply_applies_nothing (ClientFixture *fixture,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhSync) sync = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  Copy copy = { 0 };

  copy_open (fixture, &copy);
  sync = zh_sync_new (copy.offline, fixture->client);
  before = dump_copy (copy.offline);

  serve (fixture, 200, "application/json",
         "{\"changes\": [{\"rev\": 1, \"entity\": \"mark\", \"id\": \"0b6f3c1e-5a4d-4e0b-9d61-6f0b7d8f2a11\", "
         "\"deleted\": true}, {\"rev\": 2, \"entity\": \"mark\", \"id\": \"x\", \"deleted\": true}], "
         "\"next\": 2, \"more\": false}");
  g_assert_false (run_sync (sync, &error));
  g_assert_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL);
  g_assert_true (zh_sync_get_online (sync));      /* it answered, wrongly */
  g_assert_cmpstr (zh_sync_get_last_error (sync), ==, error->message);
  g_clear_error (&error);

  serve (fixture, 200, "text/html", "<h1>Ведутся работы</h1>");
  g_assert_false (run_sync (sync, &error));
  g_assert_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_SERVER);
  g_assert_false (zh_sync_get_online (sync));
  g_assert_cmpint (zh_sync_get_offline_since (sync), >, 0);

  after = dump_copy (copy.offline);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (zh_offline_get_cursor (copy.offline), ==, 0);
  copy_close (&copy);
}

/* Pushing, against the FAKE batch route: every operation goes once and leaves the outbox, the
 * rows get their revs. */
static void
test_sync_push_fake (ClientFixture *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhSync) sync = NULL;
  g_autoptr(ZhLesson) lesson = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  Copy copy = { 0 };

  copy_open (fixture, &copy);
  sync = zh_sync_new (copy.offline, fixture->client);
  zh_sync_set_batch_size (sync, 2);
  fixture->fake_batch = TRUE;
  for (guint i = 0; i < ZH_TEST_SCHOOL_STUDENTS; i++)
    g_assert_true (zh_offline_add_mark (copy.offline, copy.school.lesson_today, copy.school.students5[i],
                                        "4", "answer", "", now, NULL, &error));
  g_assert_true (zh_offline_set_topic (copy.offline, copy.school.lesson_today, "Дроби", now, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (zh_sync_get_n_waiting (sync), ==, ZH_TEST_SCHOOL_STUDENTS + 1);

  g_assert_true (run_sync (sync, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_batches, ==, 4);   /* 7 operations, 2 a batch */
  g_assert_cmpuint (zh_sync_get_n_waiting (sync), ==, 0);
  g_assert_true (zh_sync_get_online (sync));
  g_assert_cmpint (zh_sync_get_last_sync (sync), >=, now);
  lesson = zh_store_get_entity (zh_offline_get_store (copy.offline), &zh_lesson_info,
                                copy.school.lesson_today, &error);
  g_assert_cmpstr (lesson->topic, ==, "Дроби");
  g_assert_cmpint (lesson->rev, ==, 1007);
  copy_close (&copy);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* An edit starts a sync after the debounce; a sync asked for during one runs after it. */
static void
test_sync_schedule_debounce (ClientFixture *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhSync) sync = NULL;
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint guard;
  guint syncs = 0;
  Copy copy = { 0 };

  copy_open (fixture, &copy);
  sync = zh_sync_new (copy.offline, fixture->client);
  fixture->fake_batch = TRUE;
  g_signal_connect (sync, "notify::last-sync", G_CALLBACK (count_notify_cb), &syncs);

  /* Never two at once: the second call waits for the first and runs after it. */
  zh_sync_run_async (sync, NULL, got_result_cb, &first);
  zh_sync_run_async (sync, NULL, got_result_cb, &second);
  g_assert_true (zh_sync_get_syncing (sync));
  wait_result (&first);
  g_assert_null (second);
  g_assert_true (zh_sync_run_finish (sync, first, &error));
  g_assert_true (zh_sync_run_finish (sync, wait_result (&second), &error));
  g_assert_cmpuint (syncs, ==, 2);

  zh_sync_set_schedule (sync, 50, 3600 * 1000, 10, 100);
  zh_sync_start (sync);
  guard = g_timeout_add_seconds (30, too_long_cb, NULL);
  while (syncs < 3)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fixture->n_batches, ==, 0);
  g_assert_true (zh_offline_set_topic (copy.offline, copy.school.lesson_today, "Доли", now, &error));
  while (fixture->n_batches < 1 || zh_sync_get_syncing (sync))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
  g_assert_cmpuint (zh_sync_get_n_waiting (sync), ==, 0);
  zh_sync_stop (sync);
  copy_close (&copy);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, ClientFixture, NULL, client_setup, func, client_teardown)

  g_test_add_func ("/client/url/http-only", test_bad_url);
  ADD ("/client/reply/html-maintenance-page", test_html_maintenance_page);
  ADD ("/client/reply/broken-json", test_broken_json);
  ADD ("/client/reply/wrong-shapes", test_wrong_shapes);
  ADD ("/client/reply/good-page", test_good_page);
  ADD ("/client/reply/page-ahead", test_page_ahead);
  ADD ("/client/reply/status-codes", test_status_codes);
  ADD ("/client/network/refused-and-timeout", test_network_errors);
  ADD ("/client/batch/results", test_batch_results);
  ADD ("/client/sync/bad-reply-applies-nothing", test_sync_bad_reply_applies_nothing);
  ADD ("/client/sync/push-against-fake-batch", test_sync_push_fake);
  ADD ("/client/sync/schedule-debounce-and-queue", test_sync_schedule_debounce);

  return g_test_run ();
}
