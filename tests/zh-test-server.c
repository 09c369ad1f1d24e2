/* zh-test-server.c: the reference service in a thread of its own over a copy of a test's template
 * database, and a client that checks every answer is JSON (test-server, test-server-write). */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <string.h>

#include "zh-server.h"
#include "zh-test-server.h"
#include "zh-test-utils.h"

static char *template_path_shared;

/* zh_test_server_set_template: the database each fixture's service starts from (copied). */
void
zh_test_server_set_template (const char *path)
{
  g_free (template_path_shared);
  template_path_shared = g_strdup (path);
}

static gpointer
server_thread (gpointer data)
{
  ZhServerFixture *fixture = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhServer) server = NULL;

  g_main_context_push_thread_default (fixture->context);
  server = zh_server_new (fixture->dir, &error);
  g_assert_no_error (error);
  zh_server_listen (server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);

  g_mutex_lock (&fixture->mutex);
  fixture->port = zh_server_get_port (server);
  fixture->ready = TRUE;
  g_cond_signal (&fixture->cond);
  g_mutex_unlock (&fixture->mutex);

  g_main_loop_run (fixture->loop);
  zh_server_shutdown (server);
  g_clear_object (&server);
  g_main_context_pop_thread_default (fixture->context);
  return NULL;
}

void
zh_test_copy_template (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) source = g_file_new_for_path (template_path_shared);
  g_autofree char *path = g_build_filename (dir, "zhurnal.sqlite", NULL);
  g_autoptr(GFile) dest = g_file_new_for_path (path);

  g_file_copy (source, dest, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

void
zh_server_fixture_setup (ZhServerFixture *fixture,
                         gconstpointer    data)
{
  fixture->dir = zh_test_tmpdir_new ();
  zh_test_copy_template (fixture->dir);
  fixture->context = g_main_context_new ();
  fixture->loop = g_main_loop_new (fixture->context, FALSE);
  g_mutex_init (&fixture->mutex);
  g_cond_init (&fixture->cond);
  fixture->thread = g_thread_new ("server", server_thread, fixture);
  g_mutex_lock (&fixture->mutex);
  while (!fixture->ready)
    g_cond_wait (&fixture->cond, &fixture->mutex);
  g_mutex_unlock (&fixture->mutex);
  g_assert_cmpuint (fixture->port, >, 0);
  fixture->session = soup_session_new ();
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
zh_server_fixture_teardown (ZhServerFixture *fixture,
                            gconstpointer    data)
{
  g_clear_object (&fixture->session);
  g_main_context_invoke (fixture->context, quit_cb, fixture->loop);
  g_thread_join (fixture->thread);
  g_main_loop_unref (fixture->loop);
  g_main_context_unref (fixture->context);
  g_mutex_clear (&fixture->mutex);
  g_cond_clear (&fixture->cond);
  zh_test_tmpdir_free (fixture->dir);
}

void
zh_test_answer_free (ZhTestAnswer *answer)
{
  g_clear_pointer (&answer->json, json_node_unref);
  g_free (answer->etag);
  g_free (answer->retry_after);
  g_free (answer->allow);
  g_free (answer);
}

/* Send a request; every answer with a body must be JSON (openapi.yaml: the Error body). */
ZhTestAnswer *
zh_test_call_full (ZhServerFixture *fixture,
                   const char      *method,
                   const char      *path,
                   const char      *token,
                   const char      *content_type,
                   const char      *body,
                   gssize           length,
                   const char      *if_none_match)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", fixture->port, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SoupMessageHeaders *headers;
  ZhTestAnswer *answer = g_new0 (ZhTestAnswer, 1);

  g_assert_nonnull (msg);
  headers = soup_message_get_request_headers (msg);
  if (token != NULL)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (headers, "Authorization", value);
    }
  if (if_none_match != NULL)
    soup_message_headers_replace (headers, "If-None-Match", if_none_match);
  if (body != NULL)
    {
      g_autoptr(GBytes) request_body = g_bytes_new (body, length < 0 ? strlen (body) : (gsize) length);

      soup_message_set_request_body_from_bytes (msg, content_type, request_body);
    }

  bytes = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  answer->status = soup_message_get_status (msg);
  headers = soup_message_get_response_headers (msg);
  answer->etag = g_strdup (soup_message_headers_get_one (headers, "ETag"));
  answer->retry_after = g_strdup (soup_message_headers_get_one (headers, "Retry-After"));
  answer->allow = g_strdup (soup_message_headers_get_one (headers, "Allow"));
  if (g_bytes_get_size (bytes) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==, "application/json");
      json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
      g_assert_no_error (error);
      answer->json = json_node_ref (json_parser_get_root (parser));
    }
  return answer;
}

ZhTestAnswer *
zh_test_call (ZhServerFixture *fixture,
              const char      *method,
              const char      *path,
              const char      *token)
{
  return zh_test_call_full (fixture, method, path, token, NULL, NULL, 0, NULL);
}

ZhTestAnswer *
zh_test_post_json (ZhServerFixture *fixture,
                   const char      *path,
                   const char      *token,
                   const char      *body)
{
  return zh_test_call_full (fixture, "POST", path, token, "application/json", body, -1, NULL);
}

JsonObject *
zh_test_object_of (ZhTestAnswer *answer)
{
  g_assert_nonnull (answer->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (answer->json));
  return json_node_get_object (answer->json);
}

/* An error answer: the status, and the body {code, message, field} with that code and field. */
void
zh_test_assert_error (ZhTestAnswer *answer,
                      guint         status,
                      const char   *code,
                      const char   *field)
{
  JsonObject *object;

  g_assert_cmpuint (answer->status, ==, status);
  object = zh_test_object_of (answer);
  g_assert_cmpuint (json_object_get_size (object), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (object, "code"), ==, code);
  g_assert_cmpuint (strlen (json_object_get_string_member (object, "message")), >, 0);
  g_assert_true (json_object_has_member (object, "field"));
  if (field == NULL)
    g_assert_true (json_object_get_null_member (object, "field"));
  else
    g_assert_cmpstr (json_object_get_string_member (object, "field"), ==, field);
}
