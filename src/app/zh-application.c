/* zh-application.c: the Zhurnal application — actions, accelerators, the About dialog. */
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
};

G_DEFINE_FINAL_TYPE (ZhApplication, zh_application, ADW_TYPE_APPLICATION)

static void
zh_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (zh_window_new (ZH_APPLICATION (app)));
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

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "quit", quit_action },
};

static void
zh_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (zh_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
zh_application_class_init (ZhApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  /* The resources register themselves from a constructor; naming them here keeps the linker from
   * dropping that object out of the static library. */
  g_assert (zh_app_get_resource () != NULL);

  app_class->activate = zh_application_activate;
  app_class->startup = zh_application_startup;
}

static void
zh_application_init (ZhApplication *self)
{
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
