{{/* Chart name, shortened to what a DNS label allows. */}}
{{- define "omniroute.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Object name prefix: the release name, plus the chart name unless the release has it. */}}
{{- define "omniroute.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of one component's objects. Call with (dict "root" $ "component" "intake"). */}}
{{- define "omniroute.componentName" -}}
{{- printf "%s-%s" (include "omniroute.fullname" .root | trunc 48 | trimSuffix "-") .component -}}
{{- end -}}

{{/* Labels that select one component's pods. */}}
{{- define "omniroute.selectorLabels" -}}
app.kubernetes.io/name: {{ include "omniroute.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Every object's labels. */}}
{{- define "omniroute.labels" -}}
{{ include "omniroute.selectorLabels" . }}
app.kubernetes.io/part-of: omniroute
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Image of one service: [registry/]repository:tag; "repository" and "tag" in the dict name
     another image (the stunnel sidecar's; an empty tag = image.tag, else the appVersion). */}}
{{- define "omniroute.image" -}}
{{- $v := .root.Values -}}
{{- $repo := "" -}}
{{- $tag := default .root.Chart.AppVersion $v.image.tag -}}
{{- if hasKey . "repository" -}}
{{- $repo = .repository -}}
{{- $tag = default $tag .tag -}}
{{- else -}}
{{- $repo = index $v .component "repository" -}}
{{- end -}}
{{- if $v.image.registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $v.image.registry) $repo $tag -}}
{{- else -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- end -}}

{{- define "omniroute.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "omniroute.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Redis host and port as the services see them (not defined for redis.urlSecret; with
     redis.cluster.nodes, the nodes joined by commas). */}}
{{- define "omniroute.redisHostPort" -}}
{{- $r := .Values.redis -}}
{{- if $r.cluster.nodes -}}
{{- join "," $r.cluster.nodes -}}
{{- else if $r.url -}}
{{- $u := urlParse $r.url -}}
{{- $u.host -}}
{{- else if $r.internal.enabled -}}
{{- printf "%s-redis:%d" (include "omniroute.fullname" .) 6379 -}}
{{- else -}}
{{- printf "%s:%d" $r.host (int $r.port) -}}
{{- end -}}
{{- end -}}

{{/* Checks the combinations values.schema.json cannot express, so that a plain render (without
     schema validation) fails too. */}}
{{- define "omniroute.validate" -}}
{{- $r := .Values.redis -}}
{{- $sources := 0 -}}
{{- if $r.url }}{{ $sources = add1 $sources }}{{ end -}}
{{- if $r.urlSecret.name }}{{ $sources = add1 $sources }}{{ end -}}
{{- if $r.internal.enabled }}{{ $sources = add1 $sources }}{{ end -}}
{{- if and $r.cluster.nodes $r.internal.enabled -}}
{{- fail "redis.cluster.nodes points the services at an external Redis Cluster, but the in-chart trial Redis (redis.internal.enabled) is a single node: set redis.internal.enabled=false" -}}
{{- end -}}
{{- if and $r.cluster.nodes (or $r.url $r.urlSecret.name) -}}
{{- fail "redis: set only one of redis.cluster.nodes, redis.url and redis.urlSecret.name" -}}
{{- end -}}
{{- if and $r.cluster.nodes $r.tls.enabled -}}
{{- fail "redis.tls.enabled does not work with redis.cluster.nodes (its stunnel sidecar reaches one host; a cluster sends clients to every node)" -}}
{{- end -}}
{{- if and $r.cluster.nodes (ne (int $r.database) 0) -}}
{{- fail "redis.database must be 0 with redis.cluster.nodes (Redis Cluster has database 0 only)" -}}
{{- end -}}
{{- if gt $sources 1 -}}
{{- fail "redis: set only one of redis.url, redis.urlSecret.name and redis.internal.enabled" -}}
{{- end -}}
{{- if and (eq $sources 0) (not $r.host) -}}
{{- fail "redis: set redis.url, redis.urlSecret.name, redis.host or redis.internal.enabled" -}}
{{- end -}}
{{- if and $r.url (not (hasPrefix "redis://" $r.url)) -}}
{{- fail "redis.url must start with redis://" -}}
{{- end -}}
{{- if and $r.username (or $r.url $r.urlSecret.name $r.internal.enabled) -}}
{{- fail "redis.username is used with redis.host or redis.cluster.nodes only (put the user in redis.url / redis.urlSecret)" -}}
{{- end -}}
{{- if and $r.username (not $r.password.existingSecret) -}}
{{- fail "redis.username needs redis.password.existingSecret (an ACL user has a password)" -}}
{{- end -}}
{{- if and $r.tls.enabled (or $r.url $r.urlSecret.name $r.internal.enabled) -}}
{{- fail "redis.tls.enabled is used with redis.host only (the in-chart Redis has no TLS)" -}}
{{- end -}}
{{- if and $r.tls.enabled (not $r.tls.existingSecret) -}}
{{- fail "redis.tls.enabled needs redis.tls.existingSecret (the CA that verifies Redis)" -}}
{{- end -}}
{{- if ne (empty $r.tls.certKey) (empty $r.tls.keyKey) -}}
{{- fail "redis.tls.certKey and redis.tls.keyKey go together" -}}
{{- end -}}
{{- if and $r.tls.enabled (not (semverCompare ">=1.29-0" .Capabilities.KubeVersion.Version)) -}}
{{- fail "redis.tls.enabled runs stunnel as a native sidecar, which needs Kubernetes 1.29 or later" -}}
{{- end -}}
{{- if and .Values.tls.enabled (not .Values.tls.existingSecret) -}}
{{- fail "tls.enabled needs tls.existingSecret (the certificate, key and CA of the gRPC ports)" -}}
{{- end -}}
{{- range $c := splitList " " (include "omniroute.components" $) -}}
{{- $s := index $.Values $c -}}
{{- if and $s.hpa.enabled (gt (int $s.hpa.minReplicas) (int $s.hpa.maxReplicas)) -}}
{{- fail (printf "%s.hpa.minReplicas is above %s.hpa.maxReplicas" $c $c) -}}
{{- end -}}
{{- end -}}
{{- range $c := list "classification" "routing" -}}
{{- $s := index $.Values $c -}}
{{- if and $s.keda.enabled (gt (int $s.keda.minReplicas) (int $s.keda.maxReplicas)) -}}
{{- fail (printf "%s.keda.minReplicas is above %s.keda.maxReplicas" $c $c) -}}
{{- end -}}
{{- if and $s.hpa.enabled $s.keda.enabled -}}
{{- fail (printf "%s: hpa.enabled and keda.enabled both target the same Deployment; enable one" $c) -}}
{{- end -}}
{{- if and $s.keda.enabled (eq $.Values.keda.trigger "redis-streams") (not $.Values.keda.tenants) -}}
{{- fail (printf "%s.keda.enabled with the redis-streams trigger needs keda.tenants (one trigger per tenant stream)" $c) -}}
{{- end -}}
{{- if and $s.keda.enabled (eq $.Values.keda.trigger "redis-streams") $r.urlSecret.name (not $.Values.keda.redisAddress) -}}
{{- fail "keda.redisAddress is required when Redis is given by redis.urlSecret" -}}
{{- end -}}
{{- if and $s.keda.enabled (eq $.Values.keda.trigger "prometheus") (not $.Values.keda.prometheus.serverAddress) -}}
{{- fail "keda.prometheus.serverAddress is required with the prometheus trigger" -}}
{{- end -}}
{{- if and $s.keda.enabled (not ($.Capabilities.APIVersions.Has "keda.sh/v1alpha1")) -}}
{{- fail (printf "%s.keda.enabled but the cluster has no keda.sh/v1alpha1 API (install KEDA; with helm template pass --api-versions keda.sh/v1alpha1)" $c) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.serviceMonitor.enabled (not (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1")) -}}
{{- fail "serviceMonitor.enabled but the cluster has no monitoring.coreos.com/v1 API (install the Prometheus operator; with helm template pass --api-versions monitoring.coreos.com/v1)" -}}
{{- end -}}
{{- if le (int .Values.terminationGracePeriodSeconds) 10 -}}
{{- fail "terminationGracePeriodSeconds must be above the services' 10 s drain" -}}
{{- end -}}
{{- end -}}

{{/* The environment every omniroute container gets: OMNIROUTE_REDIS_URL (the --redis-url
     fallback; 127.0.0.1:<localPort>, the stunnel sidecar, with redis.tls; redis+cluster://
     with redis.cluster.nodes), and REDIS_USERNAME / REDIS_PASSWORD / OMNIROUTE_REDIS_ADDRESS
     (OMNIROUTE_REDIS_ADDRESSES for a cluster) for KEDA's redis-streams (redis-cluster-streams)
     scaler, which reads them from the scale target's container (usernameFromEnv,
     passwordFromEnv, addressFromEnv / addressesFromEnv) and reaches Redis itself. */}}
{{- define "omniroute.redisEnv" -}}
{{- $r := .Values.redis -}}
{{- if $r.urlSecret.name }}
- name: OMNIROUTE_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $r.urlSecret.name }}
      key: {{ $r.urlSecret.key }}
{{- else if $r.url }}
- name: OMNIROUTE_REDIS_URL
  value: {{ $r.url | quote }}
- name: OMNIROUTE_REDIS_ADDRESS
  value: {{ include "omniroute.redisHostPort" . | quote }}
{{- else if $r.cluster.nodes }}
{{- if $r.username }}
- name: REDIS_USERNAME
  value: {{ $r.username | quote }}
{{- end }}
{{- $nodes := join "," $r.cluster.nodes }}
{{- if $r.password.existingSecret }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $r.password.existingSecret }}
      key: {{ $r.password.key }}
- name: OMNIROUTE_REDIS_URL
  value: {{ printf "redis+cluster://%s:$(REDIS_PASSWORD)@%s" $r.username $nodes | quote }}
{{- else }}
- name: OMNIROUTE_REDIS_URL
  value: {{ printf "redis+cluster://%s" $nodes | quote }}
{{- end }}
- name: OMNIROUTE_REDIS_ADDRESSES
  value: {{ $nodes | quote }}
{{- else }}
{{- $hostPort := include "omniroute.redisHostPort" . -}}
{{- if $r.tls.enabled -}}
{{- $hostPort = printf "127.0.0.1:%d" (int $r.tls.localPort) -}}
{{- end -}}
{{- if $r.username }}
- name: REDIS_USERNAME
  value: {{ $r.username | quote }}
{{- end }}
{{- if $r.password.existingSecret }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $r.password.existingSecret }}
      key: {{ $r.password.key }}
- name: OMNIROUTE_REDIS_URL
  value: {{ printf "redis://%s:$(REDIS_PASSWORD)@%s/%d" $r.username $hostPort (int $r.database) | quote }}
{{- else }}
- name: OMNIROUTE_REDIS_URL
  value: {{ printf "redis://%s/%d" $hostPort (int $r.database) | quote }}
{{- end }}
- name: OMNIROUTE_REDIS_ADDRESS
  value: {{ include "omniroute.redisHostPort" . | quote }}
{{- end }}
{{- end -}}

{{/* The stunnel sidecar (redis.tls): a native sidecar (init container with restartPolicy
     Always) that accepts plain Redis on 127.0.0.1:<localPort> and carries it over verified TLS
     to redis.host:redis.port. Its config is the ConfigMap of redis-tls.yaml. */}}
{{- define "omniroute.redisTlsSidecar" -}}
{{- $r := .Values.redis -}}
{{- if $r.tls.enabled }}
- name: redis-tls
  image: {{ include "omniroute.image" (dict "root" . "component" "redis" "repository" $r.tls.image.repository "tag" $r.tls.image.tag) }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  restartPolicy: Always
  command: [/usr/bin/stunnel, /etc/omniroute/stunnel/stunnel.conf]
  startupProbe:
    tcpSocket:
      port: {{ $r.tls.localPort }}
    periodSeconds: 1
    failureThreshold: 30
  resources:
    {{- toYaml $r.tls.resources | nindent 4 }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  volumeMounts:
    - name: redis-tls-config
      mountPath: /etc/omniroute/stunnel
      readOnly: true
    - name: redis-tls
      mountPath: /etc/omniroute/redis-tls
      readOnly: true
{{- end }}
{{- end -}}

{{/* The volumes of the stunnel sidecar. */}}
{{- define "omniroute.redisTlsVolumes" -}}
{{- if .Values.redis.tls.enabled }}
- name: redis-tls-config
  configMap:
    name: {{ include "omniroute.fullname" . }}-redis-tls
- name: redis-tls
  secret:
    secretName: {{ .Values.redis.tls.existingSecret }}
{{- end }}
{{- end -}}

{{/*
The components that run: the three services, and the webhook workers unless
webhooks.enabled is false (space-separated, for splitList).
*/}}
{{- define "omniroute.components" -}}
intake classification routing{{ if .Values.webhooks.enabled }} webhooks{{ end }}
{{- end -}}
