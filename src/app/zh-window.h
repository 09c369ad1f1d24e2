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
void      zh_window_start       (ZhWindow      *self);
void      zh_window_sign_in     (ZhWindow      *self,
                                 const char    *server_url,
                                 const char    *login,
                                 const char    *password);
gboolean  zh_window_select_page (ZhWindow      *self,
                                 const char    *group_id,
                                 const char    *period_key);

G_END_DECLS
