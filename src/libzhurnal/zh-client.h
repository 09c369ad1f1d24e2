/* zh-client.h: ZhClient, the HTTP client of the Zhurnal API (data/api/openapi.yaml).
 *
 * One ZhClient talks to one service for one signed-in staff member. It uses libsoup's async API
 * on the thread-default main context of the thread that made it (STYLE.md "Async and the main
 * loop"); large replies (pages of the changes feed) are parsed in a worker thread. Every reply is
 * checked strictly against the contract before anything of it is returned: a body that is not
 * JSON, a member of the wrong type, an unknown entity — each is a clean ZhClientError, never a
 * crash and never a half-applied page.
 */
#pragma once

#include <gio/gio.h>

#include "zh-model.h"

G_BEGIN_DECLS

#define ZH_CLIENT_ERROR (zh_client_error_quark ())
GQuark zh_client_error_quark (void);

/* ZhClientError: why a request to the service failed. A cancelled request fails with
 * G_IO_ERROR_CANCELLED instead. */
typedef enum
{
  ZH_CLIENT_ERROR_NETWORK,      /* no connection: refused, reset, timed out, no route — offline */
  ZH_CLIENT_ERROR_UNAUTHORIZED, /* 401: wrong login or password, or the session has ended */
  ZH_CLIENT_ERROR_FORBIDDEN,    /* 403: the staff member's roles do not allow the request */
  ZH_CLIENT_ERROR_REQUEST,      /* another 4xx: the service refused the request and said why */
  ZH_CLIENT_ERROR_SERVER,       /* 5xx, a redirect, or any body that is not JSON (a maintenance
                                 * page, a proxy's page): the service is unavailable */
  ZH_CLIENT_ERROR_PROTOCOL,     /* JSON that does not follow the contract */
  ZH_CLIENT_ERROR_TLS,          /* the service's certificate is not valid: refused */
} ZhClientError;

/* The largest reply body read; a larger one is a protocol error. */
#define ZH_CLIENT_MAX_REPLY (64 * 1024 * 1024)
/* The deepest JSON nesting accepted in a reply. */
#define ZH_CLIENT_MAX_DEPTH 64
/* Seconds a connection attempt or a read may take before the request fails as NETWORK. */
#define ZH_CLIENT_DEFAULT_TIMEOUT 30

/* One entry of the changes feed: a row in its newest form, or a tombstone. */
typedef struct
{
  gint64              rev;
  const ZhEntityInfo *info;
  char               *id;
  gboolean            deleted;
  gpointer            value;    /* the decoded row of @info; NULL in a tombstone */
} ZhChange;

/* One page of the changes feed (GET /changes). */
typedef struct
{
  gint64     since;
  GPtrArray *changes;           /* ZhChange *, in rev order */
  gint64     next;
  gboolean   more;
} ZhChangesPage;

void zh_changes_page_free (ZhChangesPage *page);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZhChangesPage, zh_changes_page_free)

typedef enum
{
  ZH_OP_ACTION_PUT,     /*< nick=put >*/
  ZH_OP_ACTION_DELETE,  /*< nick=delete >*/
  ZH_OP_ACTION_CORRECT, /*< nick=correct >*/
} ZhOpAction;

/* One operation of a batch (the contract's Operation). */
typedef struct
{
  char               *op_id;
  const ZhEntityInfo *info;
  ZhOpAction          action;
  char               *id;
  gint64              base_rev;
  char               *value;    /* JSON object text of the row; NULL for a delete */
  char               *correction; /* correct: JSON object text {"reason", "document"}; else NULL */
} ZhOperation;

ZhOperation *zh_operation_new  (void);
void         zh_operation_free (ZhOperation *op);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZhOperation, zh_operation_free)

typedef enum
{
  ZH_OP_STATUS_APPLIED,  /*< nick=applied >*/
  ZH_OP_STATUS_REJECTED, /*< nick=rejected >*/
  ZH_OP_STATUS_CONFLICT, /*< nick=conflict >*/
} ZhOpStatus;

/* The service's answer to one operation (the contract's OperationResult). */
typedef struct
{
  char      *op_id;
  ZhOpStatus status;
  gint64     rev;       /* applied: the row's new rev */
  char      *code;      /* rejected: why, for programs */
  char      *message;   /* rejected: why, for people */
  char      *field;     /* rejected: the member at fault, or NULL */
  char      *current;   /* conflict: the service's row as JSON text; NULL when it was deleted */
} ZhOpResult;

void zh_op_result_free (ZhOpResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZhOpResult, zh_op_result_free)

#define ZH_TYPE_CLIENT (zh_client_get_type ())
G_DECLARE_FINAL_TYPE (ZhClient, zh_client, ZH, CLIENT, GObject)

ZhClient    *zh_client_new              (const char          *base_url,
                                         GError             **error);
const char  *zh_client_get_base_url     (ZhClient            *self);
const char  *zh_client_get_token        (ZhClient            *self);
void         zh_client_set_token        (ZhClient            *self,
                                         const char          *token);
void         zh_client_set_timeout      (ZhClient            *self,
                                         guint                seconds);
gboolean     zh_client_set_ca_file      (ZhClient            *self,
                                         const char          *path,
                                         GError             **error);

void         zh_client_login_async      (ZhClient            *self,
                                         const char          *login,
                                         const char          *password,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
ZhStaff     *zh_client_login_finish     (ZhClient            *self,
                                         GAsyncResult        *result,
                                         gint64              *expires,
                                         GError             **error);

void         zh_client_logout_async     (ZhClient            *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean     zh_client_logout_finish    (ZhClient            *self,
                                         GAsyncResult        *result,
                                         GError             **error);

void         zh_client_probe_async      (ZhClient            *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean     zh_client_probe_finish     (ZhClient            *self,
                                         GAsyncResult        *result,
                                         GError             **error);

void         zh_client_get_changes_async (ZhClient           *self,
                                          gint64              since,
                                          guint               limit,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
/* Called on the client's main context when a page's `next` and `more` are known before the page
 * is read whole (the service writes them first): the caller may ask for the following page. */
typedef void (*ZhChangesAheadFunc) (gint64   next,
                                    gboolean more,
                                    gpointer user_data);

void         zh_client_get_changes_ahead_async (ZhClient           *self,
                                                gint64              since,
                                                guint               limit,
                                                ZhChangesAheadFunc  ahead,
                                                gpointer            ahead_data,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
ZhChangesPage *zh_client_get_changes_finish (ZhClient        *self,
                                             GAsyncResult    *result,
                                             GError         **error);

void         zh_client_post_batch_async (ZhClient            *self,
                                         GPtrArray           *operations,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GPtrArray   *zh_client_post_batch_finish (ZhClient           *self,
                                          GAsyncResult       *result,
                                          GError            **error);

G_END_DECLS
