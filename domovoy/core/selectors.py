from .models import WorkerHeartbeat


def worker_status():
    last = WorkerHeartbeat.objects.filter(kind=WorkerHeartbeat.Kind.PERIODIC).first()
    probes = list(WorkerHeartbeat.objects.filter(kind=WorkerHeartbeat.Kind.PROBE)[:10])
    return {"last_heartbeat": last, "probes": probes}


def worker_probe_result(token):
    return WorkerHeartbeat.objects.filter(kind=WorkerHeartbeat.Kind.PROBE, token=token).first()
