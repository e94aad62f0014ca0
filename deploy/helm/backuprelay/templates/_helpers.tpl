{{/* The prefix of every resource's name: the release's name, with "-backuprelay" unless it has it. */}}
{{- define "backuprelay.fullname" -}}
{{- if contains "backuprelay" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-backuprelay" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of every resource. */}}
{{- define "backuprelay.labels" -}}
app.kubernetes.io/name: backuprelay
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The labels that select one service's pods; call with (dict "root" $ "service" NAME). */}}
{{- define "backuprelay.selector" -}}
app.kubernetes.io/name: backuprelay
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .service }}
{{- end -}}

{{/* One service's resource name; call with (dict "root" $ "service" NAME). */}}
{{- define "backuprelay.component" -}}
{{ include "backuprelay.fullname" .root }}-{{ .service }}
{{- end -}}

{{/* A service's Kafka principal (its KafkaUser, and the Secret Strimzi makes for it). */}}
{{- define "backuprelay.kafkaUser" -}}
{{ .root.Values.kafka.sasl.credentialsSecretPrefix }}{{ .service }}
{{- end -}}

{{/* How long Kubernetes waits for a stopping pod: the job grace, the cleanup after it, a margin. */}}
{{- define "backuprelay.terminationGrace" -}}
{{ add .svc.jobGraceSeconds .root.Values.shutdown.cleanupSeconds .root.Values.shutdown.marginSeconds }}
{{- end -}}

{{/* Whether a service runs a KEDA ScaledObject (it has autoscaling values and KEDA is on). */}}
{{- define "backuprelay.scaled" -}}
{{- if and .root.Values.keda.enabled .svc.autoscaling -}}true{{- end -}}
{{- end -}}
