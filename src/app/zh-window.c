/* zh-window.c: the main window. Until the journal grid lands it shows the welcome page. */
#define G_LOG_DOMAIN "zhurnal"

#include "config.h"

#include <glib/gi18n.h>

#include "zh-window.h"

struct _ZhWindow
{
  AdwApplicationWindow parent_instance;

  AdwStatusPage *welcome;
};

G_DEFINE_FINAL_TYPE (ZhWindow, zh_window, ADW_TYPE_APPLICATION_WINDOW)

static void
zh_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), ZH_TYPE_WINDOW);

  G_OBJECT_CLASS (zh_window_parent_class)->dispose (object);
}

static void
zh_window_class_init (ZhWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zh_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/zhurnal/Zhurnal/zh-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, welcome);
}

static void
zh_window_init (ZhWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* zh_window_new: a new main window of @application. */
ZhWindow *
zh_window_new (ZhApplication *application)
{
  g_return_val_if_fail (ZH_IS_APPLICATION (application), NULL);

  return g_object_new (ZH_TYPE_WINDOW, "application", application, NULL);
}
