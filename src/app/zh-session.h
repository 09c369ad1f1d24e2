/* zh-session.h: ZhSession — one signed-in account in the window: its ZhAccount, the ZhClient with
 * the session's token, the offline copy and the background ZhSync, and the local edits.
 *
 * Signing in asks the service first; when the service cannot be reached and the account kept a
 * token and an offline copy, the session opens offline with the kept token (issue 6 §1). The
 * offline copy opens at once; the first sync fills it in the background. Local edits run in
 * worker threads on a read-write connection of the session's own, one edit at a time, never on
 * the main thread (STYLE.md "Async").
 */
#pragma once

#include <gio/gio.h>

#include "zh-account.h"
#include "zh-client.h"
#include "zh-offline.h"
#include "zh-sync.h"

G_BEGIN_DECLS

/* ZhSessionEdit: a local edit of a cell. */
typedef enum
{
  ZH_SESSION_EDIT_MARK,           /* a mark: value, work type */
  ZH_SESSION_EDIT_ABSENCE,        /* «н» */
  ZH_SESSION_EDIT_CLEAR_ABSENCE,  /* the absence taken back */
  ZH_SESSION_EDIT_ABSENCE_REASON, /* б, у, п: the class teacher's reason */
  ZH_SESSION_EDIT_PERIOD_MARK,    /* a period, year, ГИА or Итог mark */
  ZH_SESSION_EDIT_DELETE_MARK,    /* the author's undo within the grace: value, the mark's id */
  ZH_SESSION_EDIT_TAKE_BACK_REASON, /* a reason taken back: zh_session_take_back_reason_async */
} ZhSessionEdit;

/* ZhSessionLessonText: which texts of a lesson zh_session_edit_lesson_async writes. */
typedef struct
{
  const char *topic;     /* NULL: left as it is */
  const char *homework;  /* NULL: left as it is */
} ZhSessionLessonText;

#define ZH_TYPE_SESSION (zh_session_get_type ())
G_DECLARE_FINAL_TYPE (ZhSession, zh_session, ZH, SESSION, GObject)

void        zh_session_sign_in_async      (const char          *server_url,
                                           const char          *login,
                                           const char          *password,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
void        zh_session_open_current_async (GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
ZhSession  *zh_session_open_finish        (GAsyncResult        *result,
                                           GError             **error);

ZhAccount  *zh_session_get_account        (ZhSession           *self);
ZhSync     *zh_session_get_sync           (ZhSession           *self);
const char *zh_session_get_login          (ZhSession           *self);
const char *zh_session_get_offline_path   (ZhSession           *self);
gboolean    zh_session_get_signed_in_offline (ZhSession        *self);
gboolean    zh_session_check_password     (ZhSession           *self,
                                           const char          *password);

void        zh_session_edit_async         (ZhSession           *self,
                                           ZhSessionEdit        edit,
                                           const char          *lesson_id,
                                           const char          *student_id,
                                           const char          *value,
                                           const char          *work_type,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
void        zh_session_set_period_mark_async (ZhSession        *self,
                                              const char       *group_id,
                                              const char       *student_id,
                                              ZhPeriodMarkKind  kind,
                                              const char       *period_id,
                                              const char       *value,
                                              GCancellable     *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer          user_data);
void        zh_session_take_back_reason_async (ZhSession        *self,
                                               const char       *lesson_id,
                                               const char       *student_id,
                                               ZhAttendanceCode  reason,
                                               ZhAttendanceCode  previous,
                                               GCancellable     *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer          user_data);
gboolean    zh_session_edit_finish        (ZhSession           *self,
                                           GAsyncResult        *result,
                                           GError             **error);
char       *zh_session_edit_dup_mark_id   (GAsyncResult        *result);
/* ZhSessionWork: work on the offline copy in a worker thread, one at a time with the edits. */
typedef gboolean (*ZhSessionWork) (ZhOffline *offline,
                                   gpointer   data,
                                   GError   **error);

void        zh_session_run_async          (ZhSession           *self,
                                           ZhSessionWork        work,
                                           gpointer             data,
                                           GDestroyNotify       destroy,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean    zh_session_run_finish         (ZhSession           *self,
                                           GAsyncResult        *result,
                                           GError             **error);
GHashTable *zh_session_list_waiting       (ZhSession           *self,
                                           GError             **error);

void        zh_session_edit_lesson_async  (ZhSession           *self,
                                           const char          *lesson_id,
                                           const ZhSessionLessonText *text,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
void        zh_session_add_lesson_async   (ZhSession           *self,
                                           const char          *group_id,
                                           const char          *date,
                                           int                  number,
                                           ZhLessonKind         kind,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
char       *zh_session_add_lesson_finish  (ZhSession           *self,
                                           GAsyncResult        *result,
                                           GError             **error);
GHashTable *zh_session_list_lesson_states (ZhSession           *self,
                                           GError             **error);
GHashTable *zh_session_list_lesson_reasons (ZhSession          *self,
                                            GError            **error);

void        zh_session_sign_out           (ZhSession           *self);

G_END_DECLS
