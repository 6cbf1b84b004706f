{{/* Chart name, truncated to the 63 characters a label allows. */}}
{{- define "stagefleet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects. */}}
{{- define "stagefleet.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "stagefleet.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "stagefleet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "stagefleet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "stagefleet.labels" -}}
helm.sh/chart: {{ include "stagefleet.chart" . }}
{{ include "stagefleet.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: stagefleet
{{- end }}

{{- define "stagefleet.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "stagefleet.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "stagefleet.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Namespace of the token-signing key Secret. */}}
{{- define "stagefleet.keySecretNamespace" -}}
{{- default .Release.Namespace .Values.tokens.keySecret.namespace }}
{{- end }}

{{/*
Rules on LiveBroadcasts, their API-key Secrets and Events, granted in each watched namespace (or cluster-wide): the
verbs the code calls (ApiCallsMatchRbacTest records them), nothing more. The operator writes finalizers and status
with patches only. The gateway watches only Secrets labelled stagefleet.dev/gateway-readable=true, but RBAC cannot
grant by label, so list/watch on Secrets covers the namespace: confine it with watchNamespaces.
*/}}
{{- define "stagefleet.watchedNamespaceRules" -}}
# get: a gateway replica reads its broadcast afresh when a seat claim conflicts with another replica's
- apiGroups: ["live.stagefleet.dev"]
  resources: ["livebroadcasts"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["live.stagefleet.dev"]
  resources: ["livebroadcasts/status"]
  verbs: ["patch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["list", "watch"]
# a repeat's count is a patch of the first Event
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/* Environment both containers share. */}}
{{- define "stagefleet.podEnv" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- end }}

{{/* The Secret with the claims key every gateway replica shares in IVS API token mode (the chart makes it once). */}}
{{- define "stagefleet.claimsKeySecretName" -}}
{{- printf "%s-claims-key" (include "stagefleet.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
