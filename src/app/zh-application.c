/* zh-application.c: the Zhurnal application — actions, accelerators, the About dialog, and the
 * command line.
 *
 * Without options the window opens the account kept from last time with its kept session
 * (offline-first), or shows the sign-in form. `zhurnal --database FILE --login LOGIN` opens the
 * journal of LOGIN in a Zhurnal database read-only, without signing in (the benches, the demo
 * school of `zhurnalctl demo-school`). For the demo of tools/run, ZH_DEMO_LOGIN and
 * ZH_DEMO_PASSWORD with ZH_SERVER_URL sign in without the form; the password is never written
 * anywhere. */
#define G_LOG_DOMAIN "zhurnal"

#include "config.h"

#include <glib/gi18n.h>

#include "zh-app-resources.h"
#include "zh-application.h"
#include "zh-version.h"
#include "zh-window.h"

struct _ZhApplication
{
  AdwApplication parent_instance;

  gint64         start_time;
  char          *database;
  char          *login;
};

G_DEFINE_FINAL_TYPE (ZhApplication, zh_application, ADW_TYPE_APPLICATION)

static void
zh_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  ZhApplication *self = ZH_APPLICATION (app);

  if (window == NULL)
    {
      window = GTK_WINDOW (zh_window_new (self));
      if (self->database != NULL)
        zh_window_open (ZH_WINDOW (window), self->database, self->login);
      else if (g_getenv ("ZH_DEMO_LOGIN") != NULL && g_getenv ("ZH_DEMO_PASSWORD") != NULL &&
               g_getenv ("ZH_SERVER_URL") != NULL)
        /* tools/run's demo: signed in as the demo login without the form. */
        zh_window_sign_in (ZH_WINDOW (window), g_getenv ("ZH_SERVER_URL"),
                           g_getenv ("ZH_DEMO_LOGIN"), g_getenv ("ZH_DEMO_PASSWORD"));
      else
        zh_window_start (ZH_WINDOW (window));
    }
  gtk_window_present (window);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  ZhApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *developers[] = { _("The Zhurnal developers"), NULL };

  adw_show_about_window (window,
                         "application-name", _("Zhurnal"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Zhurnal developers"),
                         "version", zh_version (),
                         "comments", _("The electronic class journal for school staff: "
                                       "lessons, marks, attendance, reviews and certified "
                                       "summary sheets, online and offline."),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static int
zh_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  ZhApplication *self = ZH_APPLICATION (app);

  g_variant_dict_lookup (options, "database", "^ay", &self->database);
  g_variant_dict_lookup (options, "login", "s", &self->login);
  if ((self->database == NULL) != (self->login == NULL))
    {
      g_printerr ("%s\n", _("Give both --database and --login, or neither."));
      return 2;
    }
  return -1;
}

static const GOptionEntry option_entries[] = {
  { "database", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Open the journal in this Zhurnal database (the demo school, an offline copy)"),
    N_("FILE") },
  { "login", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Show the journal pages of this staff member’s login"), N_("LOGIN") },
  { NULL }
};

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "quit", quit_action },
};

static void
zh_application_startup (GApplication *app)
{
  static const struct
  {
    const char *action;
    const char *accels[4];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "win.next-page", { "<Control>Page_Down", NULL } },
    { "win.previous-page", { "<Control>Page_Up", NULL } },
    { "win.show-journal", { "<Alt>1", NULL } },
    { "win.show-lessons", { "<Alt>2", NULL } },
    { "win.focus-search", { "<Control>f", NULL } },
    { "win.toggle-sidebar", { "F9", NULL } },
    { "win.undo", { "<Control>z", NULL } },
    { "win.edit-cell", { "F2", "Menu", "<Shift>F10", NULL } },
    { "win.correct-mark", { "<Control>e", NULL } },
    { "win.toggle-history", { "<Control>i", NULL } },
    { "win.show-conflicts", { "<Control><Shift>c", NULL } },
  };

  G_APPLICATION_CLASS (zh_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action,
                                           accels[i].accels);
}

static void
zh_application_finalize (GObject *object)
{
  ZhApplication *self = ZH_APPLICATION (object);

  g_free (self->database);
  g_free (self->login);

  G_OBJECT_CLASS (zh_application_parent_class)->finalize (object);
}

static void
zh_application_class_init (ZhApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  /* The resources register themselves from a constructor; naming them here keeps the linker from
   * dropping that object out of the static library. */
  g_assert (zh_app_get_resource () != NULL);

  object_class->finalize = zh_application_finalize;
  app_class->activate = zh_application_activate;
  app_class->startup = zh_application_startup;
  app_class->handle_local_options = zh_application_handle_local_options;
}

static void
zh_application_init (ZhApplication *self)
{
  self->start_time = g_get_monotonic_time ();
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

/* zh_application_get_start_time: the monotonic time the application was made, right after main()
 * began: what ZH_BENCH_STARTUP measures from. */
gint64
zh_application_get_start_time (ZhApplication *self)
{
  g_return_val_if_fail (ZH_IS_APPLICATION (self), 0);

  return self->start_time;
}

/* zh_application_new: the application, one instance per session (GApplication uniqueness). */
ZhApplication *
zh_application_new (void)
{
  return g_object_new (ZH_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/zhurnal/Zhurnal",
                       NULL);
}
