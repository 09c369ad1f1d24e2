/* test-tls: the real zhurnal-server serving https with the certificates of tests/data/tls, the
 * real ZhClient and zhurnalctl on 127.0.0.1 (issue 5 §5; docs/sync.md "Errors and state"). With
 * the test CA trusted for the account, signing in and syncing work; a self-signed certificate, an
 * expired one and one for another host are each refused as ZH_CLIENT_ERROR_TLS with words that
 * say what is wrong and what it may mean, and nothing of the account is stored. */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <string.h>
#include <signal.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "zh-client.h"
#include "zh-test-utils.h"

/* The demo school at a small scale, made once and served by each test's own service. */
static char *data_dir;

typedef struct
{
  char        *home;      /* XDG_DATA_HOME of zhurnalctl */
  char        *runtime;   /* XDG_RUNTIME_DIR of zhurnalctl */
  GSubprocess *server;
  char        *url;
  char        *ca_path;   /* tests/data/tls/ca.pem */
} TlsFixture;

/* What a refused certificate's test serves and the words its refusal must hold. */
typedef struct
{
  const char *certificate;
  const char *reason;
} Refusal;

/* Start zhurnal-server over the demo school serving https with tests/data/tls/@certificate.pem;
 * its address. */
static GSubprocess *
start_server (const char  *certificate,
              char       **url)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *name = g_strconcat (certificate, ".pem", NULL);
  g_autofree char *cert_path = zh_test_source_path ("tests", "data", "tls", name, NULL);
  g_autofree char *key_path = zh_test_source_path ("tests", "data", "tls", "server-key.pem", NULL);
  g_autofree char *asan_options = NULL;
  GSubprocess *server;

  /* In the sanitizer build, GCC 12's LeakSanitizer itself crashes at exit ("Tracer caught signal
   * 11" on the dynamic TLS block of glib-networking's GnuTLS module, used from the service's
   * worker threads) and the service exits 1. Its leak check stays on in test-server and test-ctl
   * (plain http); here only the https service goes without it, the other ASan checks stay. */
  asan_options = g_strconcat (g_getenv ("ASAN_OPTIONS") != NULL ? g_getenv ("ASAN_OPTIONS") : "",
                              ":detect_leaks=0", NULL);
  g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan_options, TRUE);
  server = zh_test_server_spawn (launcher, data_dir, url, "--listen", "127.0.0.1:0", "--demo",
                                 "--demo-scale", "0.05", "--tls-certificate", cert_path,
                                 "--tls-key", key_path, NULL);
  g_assert_true (g_str_has_prefix (*url, "https://127.0.0.1:"));
  return server;
}

static void
stop_server (GSubprocess *server)
{
  zh_test_server_stop (server);
  g_assert_true (g_subprocess_get_if_exited (server));
  g_assert_cmpint (g_subprocess_get_exit_status (server), ==, 0);
}

static void
tls_setup (TlsFixture    *fixture,
           gconstpointer  data)
{
  const Refusal *refusal = data;

  fixture->home = zh_test_tmpdir_new ();
  fixture->runtime = zh_test_tmpdir_new ();
  g_chmod (fixture->runtime, 0700);
  fixture->ca_path = zh_test_source_path ("tests", "data", "tls", "ca.pem", NULL);
  fixture->server = start_server (refusal != NULL ? refusal->certificate : "server",
                                  &fixture->url);
}

static void
tls_teardown (TlsFixture    *fixture,
              gconstpointer  data)
{
  stop_server (fixture->server);
  g_clear_object (&fixture->server);
  g_free (fixture->url);
  g_free (fixture->ca_path);
  zh_test_tmpdir_free (fixture->home);
  zh_test_tmpdir_free (fixture->runtime);
}

/* Run `zhurnalctl ARGS…` with @input on standard input, no keyring (a session bus that leads
 * nowhere) and English messages; its exit status, output and errors. */
static int
ctl_run (TlsFixture  *fixture,
         const char  *input,
         char       **out,
         char       **err,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *arg;
  va_list args;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", fixture->home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", fixture->runtime, TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent",
                                TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");

  g_ptr_array_add (argv, zh_test_build_path ("src", "cli", "zhurnalctl", NULL));
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input != NULL ? input : "", NULL, &stdout_text,
                                 &stderr_text, &error);
  g_assert_no_error (error);
  g_test_message ("zhurnalctl %s → %d\n%s%s", (char *) argv->pdata[1],
                  g_subprocess_get_exit_status (process), stdout_text, stderr_text);
  g_assert_true (g_subprocess_get_if_exited (process));
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);
  return g_subprocess_get_exit_status (process);
}

static char *
account_dir (TlsFixture *fixture,
             const char *login)
{
  g_autoptr(GUri) uri = g_uri_parse (fixture->url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *host_port = g_strdup_printf ("%s_%d", g_uri_get_host (uri), g_uri_get_port (uri));

  return g_build_filename (fixture->home, "zhurnal", host_port, login, NULL);
}

static void
got_result_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Sign @login in through a ZhClient that trusts the test CA (when @trust_ca); the staff member. */
static ZhStaff *
client_login (TlsFixture  *fixture,
              gboolean     trust_ca,
              const char  *login,
              GError     **error)
{
  g_autoptr(ZhClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;

  client = zh_client_new (fixture->url, &local_error);
  g_assert_no_error (local_error);
  if (trust_ca)
    {
      zh_client_set_ca_file (client, fixture->ca_path, &local_error);
      g_assert_no_error (local_error);
    }
  zh_client_login_async (client, login, "demo", NULL, got_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return zh_client_login_finish (client, result, NULL, error);
}

/* ---- trusted ------------------------------------------------------------------------------- */

/* The service's certificate is signed by the test CA, which the system does not know: refused
 * until the account trusts the CA with --ca-file; then signing in works, the CA is kept with the
 * account, and a sync (a new client, no --ca-file) reaches the service over https. */
static void
test_trusted_ca_login_and_sync (TlsFixture    *fixture,
                                gconstpointer  data)
{
  g_autofree char *dir = account_dir (fixture, "teacher");
  g_autofree char *kept_ca = g_build_filename (dir, "ca.pem", NULL);
  g_autofree char *token_path = g_build_filename (dir, "token", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStaff) staff = NULL;

  /* The library: the system's CAs alone refuse the service; with the test CA it answers. */
  staff = client_login (fixture, FALSE, "teacher", &error);
  g_assert_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_TLS);
  g_assert_null (staff);
  g_assert_nonnull (strstr (error->message, "not signed by a certificate authority"));
  g_clear_error (&error);
  staff = client_login (fixture, TRUE, "teacher", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (staff->login, ==, "teacher");

  /* zhurnalctl: refused without the CA, nothing stored. */
  g_assert_cmpint (ctl_run (fixture, "demo\n", NULL, &err, "login", "--server", fixture->url,
                            "--user", "teacher", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not signed by a certificate authority"));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl_run (fixture, "demo\n", &out, &err, "login", "--server", fixture->url,
                            "--user", "teacher", "--ca-file", fixture->ca_path, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Signed in to https://127.0.0.1:"));
  g_assert_true (g_file_test (kept_ca, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (token_path, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (ctl_run (fixture, NULL, &out, &err, "sync", "--quiet", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl_run (fixture, NULL, &out, NULL, "status", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Account: teacher at https://127.0.0.1:"));
  g_assert_null (strstr (out, "never synced"));
  g_assert_nonnull (strstr (out, "up to change"));
}

/* A bad CA file is refused before anything is sent or stored. */
static void
test_ca_file_unreadable (TlsFixture    *fixture,
                         gconstpointer  data)
{
  g_autofree char *dir = account_dir (fixture, "teacher");
  g_autofree char *not_pem = zh_test_source_path ("tests", "data", "tls", "README.md", NULL);
  g_autofree char *err = NULL;

  g_assert_cmpint (ctl_run (fixture, "demo\n", NULL, &err, "login", "--server", fixture->url,
                            "--user", "teacher", "--ca-file", not_pem, NULL), ==, 1);
  g_assert_nonnull (strstr (err, not_pem));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

/* ---- refused ------------------------------------------------------------------------------- */

/* Even with the test CA trusted, a certificate that fails a check is refused: ZH_CLIENT_ERROR_TLS
 * from the library, and from zhurnalctl exit status 1 with the same words; no token, no copy, no
 * current account is left behind. */
static void
test_refused (TlsFixture    *fixture,
              gconstpointer  data)
{
  const Refusal *refusal = data;
  g_autofree char *dir = account_dir (fixture, "teacher");
  g_autofree char *current = g_build_filename (fixture->home, "zhurnal", "current", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStaff) staff = NULL;

  staff = client_login (fixture, TRUE, "teacher", &error);
  g_assert_null (staff);
  g_assert_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, refusal->reason));
  g_assert_nonnull (strstr (error->message, "Someone may be intercepting the connection"));
  g_assert_nonnull (strstr (error->message, "Ask the school’s administrator"));

  g_assert_cmpint (ctl_run (fixture, "demo\n", NULL, &err, "login", "--server", fixture->url,
                            "--user", "teacher", "--ca-file", fixture->ca_path, NULL), ==, 1);
  g_assert_nonnull (strstr (err, refusal->reason));
  g_assert_nonnull (strstr (err, "Someone may be intercepting the connection"));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (current, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  static const Refusal self_signed = { "self-signed", "not signed by a certificate authority" };
  static const Refusal expired = { "expired", "its certificate has expired" };
  static const Refusal other_host = { "other-host", "issued for another host name" };
  g_autoptr(GSubprocess) first = NULL;
  g_autofree char *url = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  /* Without a TLS backend every https test would fail for that reason alone: say so plainly. */
  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    g_error ("No TLS backend: GIO cannot make TLS connections. Install glib-networking "
             "(tools/packages.txt).");

  /* The first start makes the demo school the tests share. */
  data_dir = zh_test_tmpdir_new ();
  first = start_server ("server", &url);
  stop_server (first);

#define ADD(path, data, func) g_test_add (path, TlsFixture, data, tls_setup, func, tls_teardown)
  ADD ("/tls/trusted-ca/login-and-sync", NULL, test_trusted_ca_login_and_sync);
  ADD ("/tls/trusted-ca/unreadable-ca-file", NULL, test_ca_file_unreadable);
  ADD ("/tls/refused/self-signed", &self_signed, test_refused);
  ADD ("/tls/refused/expired", &expired, test_refused);
  ADD ("/tls/refused/other-host", &other_host, test_refused);
#undef ADD

  status = g_test_run ();
  zh_test_tmpdir_free (g_steal_pointer (&data_dir));
  return status;
}
