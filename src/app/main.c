/* main.c: start the Zhurnal application. */
#define G_LOG_DOMAIN "zhurnal"

#include "config.h"

#include "zh-application.h"
#include "zh-version.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(ZhApplication) app = NULL;

  zh_i18n_init ();
  app = zh_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
