/* zh-version.c: the version, and gettext set-up shared by the three programs. */
#define G_LOG_DOMAIN "zh-version"

#include "config.h"

#include <locale.h>
#include <glib/gi18n-lib.h>

#include "zh-version.h"

/* zh_version: the version string of Zhurnal, «0.1.0». */
const char *
zh_version (void)
{
  return PACKAGE_VERSION;
}

/* zh_i18n_init: set the locale from the environment and bind the message catalogue. Programs run
 * from the build tree find the catalogue there (ZH_LOCALEDIR), installed ones under LOCALEDIR. */
void
zh_i18n_init (void)
{
  const char *dir = g_getenv ("ZH_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, dir != NULL ? dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
