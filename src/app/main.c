/* main.c: start the Zhurnal application. */
#define G_LOG_DOMAIN "zhurnal"

#include "config.h"

#include <glib/gstdio.h>

#include "zh-application.h"
#include "zh-version.h"

/* Without a GPU render node (/dev/dri/renderD*), GTK 4.8's default GL renderer runs on Mesa's
 * software rasteriser (llvmpipe) and spends about 90 ms on each frame of the journal; its cairo
 * renderer draws the same frame in 6–10 ms. So on such a machine — a school's old office
 * computer, a virtual desktop, a thin client — choose cairo, unless the person chose a renderer
 * with GSK_RENDERER. Later GTK versions make this choice themselves. */
static void
choose_renderer (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_getenv ("GSK_RENDERER") != NULL)
    return;
  dir = g_dir_open ("/dev/dri", 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "renderD"))
      return;
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(ZhApplication) app = NULL;

  choose_renderer ();
  zh_i18n_init ();
  app = zh_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
