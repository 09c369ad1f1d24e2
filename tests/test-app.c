/* test-app: the real application opens its main window under Xvfb, titled «Журнал» in Russian,
 * and the window is drawn (a screenshot is saved for the developers to look at). */
#define G_LOG_DOMAIN "test-app"

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "zh-application.h"
#include "zh-test-utils.h"
#include "zh-version.h"

typedef struct
{
  ZhApplication *app;
  GtkWindow     *window;
  char          *title;
  guint          frames;
} AppRun;

/* Render @widget into a PNG the way a person would see it (FACTS.md "Screenshots"). */
static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = zh_test_build_path ("tests", name, NULL);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static gboolean
inspect_window (gpointer user_data)
{
  AppRun *run = user_data;

  run->window = gtk_application_get_active_window (GTK_APPLICATION (run->app));
  /* Wait until the window is mapped, allocated and has been painted once. */
  if (run->window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (run->window)) ||
      gtk_widget_get_width (GTK_WIDGET (run->window)) == 0 || run->frames++ < 3)
    return G_SOURCE_CONTINUE;

  run->title = g_strdup (gtk_window_get_title (run->window));
  save_screenshot (GTK_WIDGET (run->window), "screenshot-main.png");
  g_application_quit (G_APPLICATION (run->app));
  return G_SOURCE_REMOVE;
}

static void
test_main_window (void)
{
  AppRun run = { 0 };
  char *argv[] = { (char *) "zhurnal", NULL };

  run.app = zh_application_new ();
  g_application_set_flags (G_APPLICATION (run.app), G_APPLICATION_NON_UNIQUE);
  g_timeout_add (50, inspect_window, &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (run.app), 1, argv), ==, 0);

  /* The window's title in Russian (DEVELOPERS.md rule 6; the issue names «Журнал»). */
  g_assert_cmpstr (run.title, ==, "Журнал");

  g_free (run.title);
  g_object_unref (run.app);
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("LANGUAGE", "ru", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  zh_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/main-window", test_main_window);

  return g_test_run ();
}
