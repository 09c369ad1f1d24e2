/* zh-test-server.h: the reference service in a thread of its own, and a client for it. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  char         *dir;
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  GMutex        mutex;
  GCond         cond;
  guint16       port;
  gboolean      ready;
  SoupSession  *session;
} ZhServerFixture;

typedef struct
{
  guint     status;
  JsonNode *json;
  char     *etag;
  char     *retry_after;
  char     *allow;
} ZhTestAnswer;

void          zh_test_server_set_template (const char      *path);
void          zh_test_copy_template       (const char      *dir);
void          zh_server_fixture_setup     (ZhServerFixture *fixture,
                                           gconstpointer    data);
void          zh_server_fixture_teardown  (ZhServerFixture *fixture,
                                           gconstpointer    data);
void          zh_test_answer_free         (ZhTestAnswer    *answer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZhTestAnswer, zh_test_answer_free)

ZhTestAnswer *zh_test_call_full           (ZhServerFixture *fixture,
                                           const char      *method,
                                           const char      *path,
                                           const char      *token,
                                           const char      *content_type,
                                           const char      *body,
                                           gssize           length,
                                           const char      *if_none_match);
ZhTestAnswer *zh_test_call                (ZhServerFixture *fixture,
                                           const char      *method,
                                           const char      *path,
                                           const char      *token);
ZhTestAnswer *zh_test_post_json           (ZhServerFixture *fixture,
                                           const char      *path,
                                           const char      *token,
                                           const char      *body);
JsonObject   *zh_test_object_of           (ZhTestAnswer    *answer);
void          zh_test_assert_error        (ZhTestAnswer    *answer,
                                           guint            status,
                                           const char      *code,
                                           const char      *field);

G_END_DECLS
