/* zh-application.h: the Zhurnal GtkApplication. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ZH_TYPE_APPLICATION (zh_application_get_type ())
G_DECLARE_FINAL_TYPE (ZhApplication, zh_application, ZH, APPLICATION, AdwApplication)

ZhApplication *zh_application_new            (void);
gint64         zh_application_get_start_time (ZhApplication *self);

G_END_DECLS
