/* zh-window.h: the main window of Zhurnal. */
#pragma once

#include <adwaita.h>

#include "zh-application.h"

G_BEGIN_DECLS

#define ZH_TYPE_WINDOW (zh_window_get_type ())
G_DECLARE_FINAL_TYPE (ZhWindow, zh_window, ZH, WINDOW, AdwApplicationWindow)

ZhWindow *zh_window_new (ZhApplication *application);

G_END_DECLS
