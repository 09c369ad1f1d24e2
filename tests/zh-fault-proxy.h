/* zh-fault-proxy.h: a fault-injecting HTTP proxy on 127.0.0.1 for the sync tests.
 *
 * It forwards each request to the service and, by a seeded schedule, answers it badly instead:
 * drops the connection before forwarding, answers 503 without forwarding, forwards and then
 * answers 500 (the service did the work; the answer is lost), forwards and drops the connection
 * in the middle of the answer, forwards and cuts the body short, or forwards and delays the
 * answer. One request per connection (it asks the service to close), each connection in a thread
 * of its own, so it runs beside a service and a client that share the test's main context.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  ZH_FAULT_NONE,          /* forwarded and answered as the service answered */
  ZH_FAULT_DELAY,         /* forwarded; the answer held back 10–300 ms */
  ZH_FAULT_DROP_BEFORE,   /* the connection closed before the request reaches the service */
  ZH_FAULT_REFUSE_503,    /* 503 with a plain-text page; the service never sees the request */
  ZH_FAULT_ERROR_500,     /* forwarded and done, then answered 500 with an HTML page */
  ZH_FAULT_DROP_MID,      /* forwarded and done, then the connection dropped mid-answer */
  ZH_FAULT_CUT_BODY,      /* forwarded and done, the head sent whole, the body cut short */
  ZH_FAULT_N_KINDS,
} ZhFault;

typedef struct _ZhFaultProxy ZhFaultProxy;

ZhFaultProxy *zh_fault_proxy_new        (guint16        upstream_port,
                                         guint64        seed,
                                         double         fault_rate,
                                         GError       **error);
guint16       zh_fault_proxy_get_port   (ZhFaultProxy  *self);
guint         zh_fault_proxy_get_count  (ZhFaultProxy  *self,
                                         ZhFault        fault);
void          zh_fault_proxy_set_rate   (ZhFaultProxy  *self,
                                         double         fault_rate);
void          zh_fault_proxy_free       (ZhFaultProxy  *self);

G_END_DECLS
