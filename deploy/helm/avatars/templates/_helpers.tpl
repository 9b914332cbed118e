{{- define "avatars.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "avatars.labels" -}}
app.kubernetes.io/name: avatars-api
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "avatars.selectorLabels" -}}
app.kubernetes.io/name: avatars-api
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "avatars.serviceAccountName" -}}
{{- default (include "avatars.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "avatars.renderersNamespace" -}}
{{- default .Release.Namespace .Values.renderers.namespace -}}
{{- end -}}

{{- define "avatars.databaseSecretName" -}}
{{- default (printf "%s-database" (include "avatars.fullname" .)) .Values.database.existingSecret -}}
{{- end -}}
