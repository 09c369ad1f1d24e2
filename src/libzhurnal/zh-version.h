/* zh-version.h: the version of libzhurnal and the programs built on it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *zh_version (void);
void        zh_i18n_init (void);

G_END_DECLS
