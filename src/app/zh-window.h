/* zh-window.h: the main window of Zhurnal. */
#pragma once

#include <adwaita.h>

#include "zh-application.h"

G_BEGIN_DECLS

#define ZH_TYPE_WINDOW (zh_window_get_type ())
G_DECLARE_FINAL_TYPE (ZhWindow, zh_window, ZH, WINDOW, AdwApplicationWindow)

ZhWindow *zh_window_new         (ZhApplication *application);
void      zh_window_open        (ZhWindow      *self,
                                 const char    *database,
                                 const char    *login);
gboolean  zh_window_select_page (ZhWindow      *self,
                                 const char    *group_id,
                                 const char    *period_key);

G_END_DECLS
