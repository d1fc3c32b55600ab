/* JNI glue between io.esme.EsmeClient (Java) and the esme C ABI (include/esme.h).
 *
 * Built by java/build.sh into libesme_jni.so together with libesme.a (one library; only the
 * JNI entry points are exported, java/native/exports.map), which the jar carries.
 *
 * Strings: every text crosses as a byte[] of standard UTF-8, encoded and decoded on the Java
 * side (String.getBytes / new String(bytes, UTF_8)). JNI's GetStringUTFChars / NewStringUTF
 * use "modified UTF-8" (NUL as C0 80, supplementary characters as two 3-byte surrogates),
 * which is not what the library reads or writes, so they are never used.
 *
 * Handles: the esme_client pointer is an id in the library's registry (never dereferenced),
 * carried as a Java long. A stale or freed id gives ESME_ERR_INVALID_HANDLE, never a crash.
 *
 * Errors: a failing call throws esme.EsmeException(code, esme_result_str(code),
 * esme_last_error()). The detail is thread-local in the library and read on the same thread
 * right after the failing call.
 *
 * References: classes and method ids are cached as global refs in JNI_OnLoad (dropped in
 * JNI_OnUnload); every local ref made per call is deleted before returning, so a tight loop
 * of calls made from a long native frame would not grow either. */
#include <jni.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esme.h"

static jclass cls_exception;  /* io.esme.EsmeException */
static jclass cls_outcome;    /* io.esme.Outcome */
static jclass cls_event;      /* io.esme.Event */
static jclass cls_log;        /* io.esme.LogBridge */
static jclass cls_npe;        /* java.lang.NullPointerException */
static jclass cls_oom;        /* java.lang.OutOfMemoryError */
static jmethodID ctor_exception;
static jmethodID ctor_outcome;
static jmethodID ctor_event;
static jmethodID log_method;
static JavaVM *the_vm;
static pthread_key_t attached_key; /* set on the library threads this glue attached */

#define N_STATS 17

static jclass global_class(JNIEnv *env, const char *name) {
    jclass local = (*env)->FindClass(env, name);
    jclass global;
    if (local == NULL) {
        return NULL;
    }
    global = (jclass)(*env)->NewGlobalRef(env, local);
    (*env)->DeleteLocalRef(env, local);
    return global;
}

/* pthread key destructor: a library thread this glue attached to the JVM detaches as it ends
 * (a thread that ends attached would leak its java.lang.Thread and hold up JVM exit). */
static void detach_thread(void *vm) {
    if (vm != NULL) {
        (*(JavaVM *)vm)->DetachCurrentThread((JavaVM *)vm);
    }
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    JNIEnv *env;
    (void)reserved;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) {
        return JNI_ERR;
    }
    if ((cls_exception = global_class(env, "io/esme/EsmeException")) == NULL ||
        (cls_outcome = global_class(env, "io/esme/Outcome")) == NULL ||
        (cls_event = global_class(env, "io/esme/Event")) == NULL ||
        (cls_log = global_class(env, "io/esme/LogBridge")) == NULL ||
        (cls_npe = global_class(env, "java/lang/NullPointerException")) == NULL ||
        (cls_oom = global_class(env, "java/lang/OutOfMemoryError")) == NULL) {
        return JNI_ERR;
    }
    ctor_exception = (*env)->GetMethodID(env, cls_exception, "<init>", "(I[B)V");
    ctor_outcome = (*env)->GetMethodID(env, cls_outcome, "<init>", "(IIIZ[B[B)V");
    ctor_event = (*env)->GetMethodID(env, cls_event, "<init>",
                                     "(IJLio/esme/Outcome;[B[B[B[B[BIZJI)V");
    log_method = (*env)->GetStaticMethodID(env, cls_log, "log", "(I[B[B[B)V");
    if (ctor_exception == NULL || ctor_outcome == NULL || ctor_event == NULL ||
        log_method == NULL) {
        return JNI_ERR;
    }
    if (pthread_key_create(&attached_key, detach_thread) != 0) {
        return JNI_ERR;
    }
    the_vm = vm;
    return JNI_VERSION_1_8;
}

JNIEXPORT void JNICALL JNI_OnUnload(JavaVM *vm, void *reserved) {
    JNIEnv *env;
    (void)reserved;
    esme_set_log_callback(NULL, NULL, ESME_LOG_ERROR); /* waits for calls in progress */
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) {
        return;
    }
    (*env)->DeleteGlobalRef(env, cls_log);
    (*env)->DeleteGlobalRef(env, cls_exception);
    (*env)->DeleteGlobalRef(env, cls_outcome);
    (*env)->DeleteGlobalRef(env, cls_event);
    (*env)->DeleteGlobalRef(env, cls_npe);
    (*env)->DeleteGlobalRef(env, cls_oom);
}

/* ---------------------------------------------------------------------------------------- */
/* Helpers */

/* The handle id as the library's opaque pointer type (a jlong always fits: the ids the
 * library hands out are pointer-sized integers). */
static const esme_client *client_of(jlong h) {
    return (const esme_client *)(uintptr_t)h;
}

/* A new byte[] with `len` octets of `p` (NULL p: a null array). NULL with a pending
 * OutOfMemoryError when the JVM cannot allocate it. */
static jbyteArray new_bytes(JNIEnv *env, const void *p, size_t len) {
    jbyteArray a;
    if (p == NULL) {
        return NULL;
    }
    if (len > (size_t)INT32_MAX) {
        (*env)->ThrowNew(env, cls_oom, "esme: a string from the library is over 2 GiB");
        return NULL;
    }
    a = (*env)->NewByteArray(env, (jsize)len);
    if (a != NULL && len > 0) {
        (*env)->SetByteArrayRegion(env, a, 0, (jsize)len, (const jbyte *)p);
    }
    return a;
}

/* Throws io.esme.EsmeException(code, detail). */
static void throw_text(JNIEnv *env, esme_result code, const char *detail) {
    jbyteArray jdetail;
    jthrowable ex;
    if ((*env)->ExceptionCheck(env)) {
        return; /* keep the first */
    }
    jdetail = new_bytes(env, detail, strlen(detail));
    if (jdetail == NULL) {
        return;
    }
    ex = (jthrowable)(*env)->NewObject(env, cls_exception, ctor_exception, (jint)code, jdetail);
    if (ex != NULL) {
        (*env)->Throw(env, ex);
        (*env)->DeleteLocalRef(env, ex);
    }
    (*env)->DeleteLocalRef(env, jdetail);
}

/* Throws the failure `code` of the esme call just made on this thread, with the library's
 * detailed text (esme_last_error, thread-local: no other esme call ran since). */
static void throw_esme(JNIEnv *env, esme_result code) {
    char small[512];
    char *buf = small;
    size_t needed = 0;
    esme_result r = esme_last_error(small, sizeof small, &needed);
    if (r == ESME_ERR_BUFFER_TOO_SMALL && needed > sizeof small) {
        buf = malloc(needed);
        if (buf == NULL || esme_last_error(buf, needed, &needed) != ESME_OK) {
            free(buf);
            buf = small;
            small[0] = '\0';
        }
    } else if (r != ESME_OK) {
        small[0] = '\0';
    }
    if (buf[0] == '\0') {
        /* Should not happen (every failing call sets the text); say so rather than be mute. */
        throw_text(env, code, "(the library gave no detail for this failure)");
    } else {
        throw_text(env, code, buf);
    }
    if (buf != small) {
        free(buf);
    }
}

/* A NUL-terminated malloc'd copy of a byte[] (free with free_cstr). NULL with a pending
 * exception when `a` is null (NullPointerException naming `what`) or memory is short. */
static char *cstr_of(JNIEnv *env, jbyteArray a, const char *what, size_t *len_out) {
    jsize n;
    char *p;
    if (a == NULL) {
        char msg[128];
        strcpy(msg, "esme: ");
        strncat(msg, what, sizeof msg - 20);
        strcat(msg, " is null");
        (*env)->ThrowNew(env, cls_npe, msg);
        return NULL;
    }
    n = (*env)->GetArrayLength(env, a);
    p = malloc((size_t)n + 1);
    if (p == NULL) {
        (*env)->ThrowNew(env, cls_oom, "esme: out of native memory");
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, a, 0, n, (jbyte *)p);
    p[n] = '\0';
    if (len_out != NULL) {
        *len_out = (size_t)n;
    }
    return p;
}

/* Frees a cstr_of copy, wiping it first (it may hold a password). */
static void free_cstr(char *p) {
    if (p != NULL) {
        volatile char *v = p;
        while (*v != '\0') {
            *v++ = '\0';
        }
        free(p);
    }
}

/* Length of a NUL-terminated string in a fixed buffer (strnlen is not C99). */
static size_t bounded_len(const char *s, size_t max) {
    const char *nul = memchr(s, '\0', max);
    return nul == NULL ? max : (size_t)(nul - s);
}

/* Builds an esme.Outcome from a C outcome (NULL with a pending exception on failure). */
static jobject outcome_obj(JNIEnv *env, const esme_outcome *o) {
    jbyteArray ids = new_bytes(env, o->message_ids, 
                               bounded_len(o->message_ids, sizeof o->message_ids));
    jbyteArray why;
    jobject obj = NULL;
    if (ids == NULL) {
        return NULL;
    }
    why = new_bytes(env, o->why, bounded_len(o->why, sizeof o->why));
    if (why != NULL) {
        obj = (*env)->NewObject(env, cls_outcome, ctor_outcome, (jint)o->kind,
                                (jint)o->command_status, (jint)o->parts,
                                (jboolean)(o->truncated != 0), ids, why);
        (*env)->DeleteLocalRef(env, why);
    }
    (*env)->DeleteLocalRef(env, ids);
    return obj;
}

/* The message fields of a submit: copies freed by message_free. 0 with a pending exception
 * when an argument is null. */
typedef struct {
    char *to, *from, *body;
    size_t body_len;
} message_copy;

static int message_copy_of(JNIEnv *env, jbyteArray to, jbyteArray from, jbyteArray text,
                           message_copy *m) {
    memset(m, 0, sizeof *m);
    if ((m->to = cstr_of(env, to, "to", NULL)) == NULL) {
        return 0;
    }
    if (from != NULL && (m->from = cstr_of(env, from, "from", NULL)) == NULL) {
        free(m->to);
        return 0;
    }
    if ((m->body = cstr_of(env, text, "text", &m->body_len)) == NULL) {
        free(m->to);
        free(m->from);
        return 0;
    }
    return 1;
}

static void message_free(message_copy *m) {
    free(m->to);
    free(m->from);
    free(m->body);
}

/* ---------------------------------------------------------------------------------------- */
/* Natives of esme.Esme */

JNIEXPORT jlong JNICALL Java_io_esme_EsmeClient_nConnect(JNIEnv *env, jclass cls, jbyteArray path,
                                                jobjectArray keys, jobjectArray values) {
    esme_config *cfg = NULL;
    esme_client *client = NULL;
    esme_result r;
    jsize i, n;
    (void)cls;
    if (keys == NULL || values == NULL) {
        (*env)->ThrowNew(env, cls_npe, "esme: options is null");
        return 0;
    }
    n = (*env)->GetArrayLength(env, keys);
    if ((*env)->GetArrayLength(env, values) != n) {
        throw_text(env, ESME_ERR_USAGE, "esme: keys and values differ in length");
        return 0;
    }
    r = esme_config_new(&cfg);
    if (r != ESME_OK) {
        throw_esme(env, r);
        return 0;
    }
    if (path != NULL) {
        char *p = cstr_of(env, path, "path", NULL);
        if (p == NULL) {
            goto out;
        }
        r = esme_config_load_file(cfg, p);
        free_cstr(p);
        if (r != ESME_OK) {
            throw_esme(env, r);
            goto out;
        }
    }
    for (i = 0; i < n; i++) {
        jbyteArray jk = (jbyteArray)(*env)->GetObjectArrayElement(env, keys, i);
        jbyteArray jv = (jbyteArray)(*env)->GetObjectArrayElement(env, values, i);
        char *k = cstr_of(env, jk, "an option name", NULL);
        char *v = k == NULL ? NULL : cstr_of(env, jv, "an option value", NULL);
        (*env)->DeleteLocalRef(env, jk);
        (*env)->DeleteLocalRef(env, jv);
        if (v == NULL) {
            free_cstr(k);
            goto out;
        }
        r = esme_config_set(cfg, k, v);
        free_cstr(k);
        free_cstr(v);
        if (r != ESME_OK) {
            throw_esme(env, r);
            goto out;
        }
    }
    r = esme_client_connect(cfg, &client);
    if (r != ESME_OK) {
        throw_esme(env, r);
        client = NULL;
    }
out:
    esme_config_free(cfg);
    return (jlong)(uintptr_t)client;
}

JNIEXPORT jlong JNICALL Java_io_esme_EsmeClient_nSubmitAsync(JNIEnv *env, jclass cls, jlong h,
                                                    jbyteArray to, jbyteArray from,
                                                    jbyteArray text, jint flags) {
    message_copy m;
    esme_message msg;
    uint64_t ticket = 0;
    esme_result r;
    (void)cls;
    if (!message_copy_of(env, to, from, text, &m)) {
        return 0;
    }
    msg.to = m.to;
    msg.from = m.from;
    msg.body = (const uint8_t *)m.body;
    msg.body_len = m.body_len;
    msg.flags = (uint32_t)flags;
    r = esme_client_submit_async(client_of(h), &msg, &ticket);
    message_free(&m);
    if (r != ESME_OK) {
        throw_esme(env, r);
        return 0;
    }
    return (jlong)ticket;
}

static jbyteArray str_bytes(JNIEnv *env, esme_str s) {
    return new_bytes(env, s.ptr, s.len);
}

JNIEXPORT jobject JNICALL Java_io_esme_EsmeClient_nPoll(JNIEnv *env, jclass cls, jlong h,
                                               jint timeout_ms) {
    esme_event *ev = NULL;
    esme_result r;
    esme_event_kind kind;
    jobject outcome = NULL, result = NULL;
    jbyteArray from = NULL, to = NULL, text = NULL, body = NULL, rid = NULL;
    esme_receipt rc;
    esme_bytes b;
    (void)cls;
    r = esme_client_poll(client_of(h), timeout_ms < 0 ? 0u : (uint32_t)timeout_ms, &ev);
    if (r == ESME_EMPTY) {
        return NULL;
    }
    if (r != ESME_OK) {
        throw_esme(env, r);
        return NULL;
    }
    kind = esme_event_get_kind(ev);
    memset(&rc, 0, sizeof rc);
    rc.err = -1;
    if (kind == ESME_EVENT_OUTCOME) {
        esme_outcome o;
        memset(&o, 0, sizeof o);
        if (esme_event_outcome(ev, &o) == ESME_OK && (outcome = outcome_obj(env, &o)) == NULL) {
            goto out;
        }
    } else if (kind == ESME_EVENT_RECEIPT) {
        if (esme_event_receipt(ev, &rc) != ESME_OK) {
            /* Unreadable receipt: no id; the raw text is still given. */
            memset(&rc, 0, sizeof rc);
            rc.err = -1;
        } else if (rc.id.ptr != NULL && (rid = str_bytes(env, rc.id)) == NULL) {
            goto out;
        }
    }
    b = esme_event_body(ev);
    if ((from = str_bytes(env, esme_event_from(ev))) == NULL && (*env)->ExceptionCheck(env)) {
        goto out;
    }
    if ((to = str_bytes(env, esme_event_to(ev))) == NULL && (*env)->ExceptionCheck(env)) {
        goto out;
    }
    if ((text = str_bytes(env, esme_event_text(ev))) == NULL && (*env)->ExceptionCheck(env)) {
        goto out;
    }
    if ((body = new_bytes(env, b.ptr, b.len)) == NULL && (*env)->ExceptionCheck(env)) {
        goto out;
    }
    result = (*env)->NewObject(env, cls_event, ctor_event, (jint)kind,
                               (jlong)esme_event_ticket(ev), outcome, from, to, text, body, rid,
                               (jint)rc.state, (jboolean)(rc.is_final != 0), (jlong)rc.err,
                               (jint)esme_event_connection(ev));
out:
    esme_event_free(ev);
    if (outcome != NULL) (*env)->DeleteLocalRef(env, outcome);
    if (from != NULL) (*env)->DeleteLocalRef(env, from);
    if (to != NULL) (*env)->DeleteLocalRef(env, to);
    if (text != NULL) (*env)->DeleteLocalRef(env, text);
    if (body != NULL) (*env)->DeleteLocalRef(env, body);
    if (rid != NULL) (*env)->DeleteLocalRef(env, rid);
    return result;
}

JNIEXPORT jlongArray JNICALL Java_io_esme_EsmeClient_nStats(JNIEnv *env, jclass cls, jlong h) {
    esme_stats s;
    jlong v[N_STATS];
    jlongArray a;
    esme_result r;
    (void)cls;
    memset(&s, 0, sizeof s);
    r = esme_client_stats(client_of(h), &s);
    if (r != ESME_OK) {
        throw_esme(env, r);
        return NULL;
    }
    v[0] = (jlong)s.submitted;
    v[1] = (jlong)s.accepted;
    v[2] = (jlong)s.rejected;
    v[3] = (jlong)s.unknown;
    v[4] = (jlong)s.not_sent;
    v[5] = (jlong)s.throttled;
    v[6] = (jlong)s.retried;
    v[7] = (jlong)s.parts_sent;
    v[8] = (jlong)s.in_flight;
    v[9] = (jlong)s.reconnects;
    v[10] = (jlong)s.bytes_in;
    v[11] = (jlong)s.bytes_out;
    v[12] = (jlong)s.messages_received;
    v[13] = (jlong)s.receipts_received;
    v[14] = (jlong)s.inbound_refused;
    v[15] = (jlong)s.latency_p50_us;
    v[16] = (jlong)s.latency_p99_us;
    a = (*env)->NewLongArray(env, N_STATS);
    if (a != NULL) {
        (*env)->SetLongArrayRegion(env, a, 0, N_STATS, v);
    }
    return a;
}

JNIEXPORT jint JNICALL Java_io_esme_EsmeClient_nState(JNIEnv *env, jclass cls, jlong h) {
    esme_connection_state st = ESME_STATE_NONE;
    esme_result r = esme_client_state(client_of(h), &st);
    (void)cls;
    if (r != ESME_OK) {
        throw_esme(env, r);
        return 0;
    }
    return (jint)st;
}

JNIEXPORT void JNICALL Java_io_esme_EsmeClient_nClose(JNIEnv *env, jclass cls, jlong h) {
    esme_result r;
    (void)cls;
    r = esme_client_close(client_of(h)); /* blocks up to the close timeout (+2 s) */
    if (r != ESME_OK) {
        throw_esme(env, r);
    }
}

JNIEXPORT void JNICALL Java_io_esme_EsmeClient_nFree(JNIEnv *env, jclass cls, jlong h) {
    (void)env;
    (void)cls;
    esme_client_free((esme_client *)(uintptr_t)h);
}

JNIEXPORT jboolean JNICALL Java_io_esme_EsmeClient_nReceiptIdsMatch(JNIEnv *env, jclass cls,
                                                           jbyteArray a, jbyteArray b) {
    char *sa, *sb;
    jboolean m = JNI_FALSE;
    (void)cls;
    if ((sa = cstr_of(env, a, "submitId", NULL)) == NULL) {
        return JNI_FALSE;
    }
    if ((sb = cstr_of(env, b, "receiptId", NULL)) != NULL) {
        m = esme_receipt_ids_match(sa, sb) ? JNI_TRUE : JNI_FALSE;
        free(sb);
    }
    free(sa);
    return m;
}

JNIEXPORT jbyteArray JNICALL Java_io_esme_EsmeClient_nVersion(JNIEnv *env, jclass cls) {
    const char *v = esme_version();
    (void)cls;
    return new_bytes(env, v, strlen(v));
}

/* ---------------------------------------------------------------------------------------- */
/* Logs: the library's records into io.esme.LogBridge.log (System.Logger). */

/* Called by the library on its own threads (or on a Java thread inside an esme call): the
 * thread is attached to the JVM as a daemon once and stays attached until it ends. A record
 * arriving while a Java exception is pending on this thread is dropped (JNI forbids calls
 * then), as is one the JVM cannot allocate. */
static void log_to_java(void *userdata, const esme_log_record *rec) {
    JNIEnv *env = NULL;
    jbyteArray target = NULL, message = NULL, channel = NULL;
    jint got;
    (void)userdata;
    if (the_vm == NULL) {
        return;
    }
    got = (*the_vm)->GetEnv(the_vm, (void **)&env, JNI_VERSION_1_8);
    if (got == JNI_EDETACHED) {
        JavaVMAttachArgs args;
        args.version = JNI_VERSION_1_8;
        args.name = (char *)"esme-io";
        args.group = NULL;
        if ((*the_vm)->AttachCurrentThreadAsDaemon(the_vm, (void **)&env, &args) != JNI_OK) {
            return;
        }
        pthread_setspecific(attached_key, the_vm);
    } else if (got != JNI_OK) {
        return;
    }
    if ((*env)->ExceptionCheck(env)) {
        return;
    }
    if ((target = str_bytes(env, rec->target)) == NULL && (*env)->ExceptionCheck(env)) {
        goto out;
    }
    if ((message = str_bytes(env, rec->message)) == NULL && (*env)->ExceptionCheck(env)) {
        goto out;
    }
    if ((channel = str_bytes(env, rec->channel)) == NULL && (*env)->ExceptionCheck(env)) {
        goto out;
    }
    (*env)->CallStaticVoidMethod(env, cls_log, log_method, (jint)rec->level, target,
                                 message == NULL ? target : message, channel);
out:
    if ((*env)->ExceptionCheck(env)) {
        (*env)->ExceptionClear(env); /* logging must never break the library's thread */
    }
    if (target != NULL) (*env)->DeleteLocalRef(env, target);
    if (message != NULL) (*env)->DeleteLocalRef(env, message);
    if (channel != NULL) (*env)->DeleteLocalRef(env, channel);
}

/* Installs the forwarding at min_level (an esme_log_level), or removes it with 0. */
JNIEXPORT void JNICALL Java_io_esme_EsmeClient_nSetLog(JNIEnv *env, jclass cls, jint min_level) {
    esme_result r;
    (void)cls;
    r = min_level <= 0 ? esme_set_log_callback(NULL, NULL, ESME_LOG_ERROR)
                       : esme_set_log_callback(log_to_java, NULL, (uint32_t)min_level);
    if (r != ESME_OK) {
        throw_esme(env, r);
    }
}
