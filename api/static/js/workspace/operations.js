// The GraphQL documents of the listening, versions and export views (kept apart from operations.js so the two
// halves of the workspace can change without touching each other's queries).

export const AUDIO_URL = `query AudioUrl($id: ID!) { track(id: $id) { id audioUrl { url expiresAt } } }`;

export const UPLOAD_VERSION = `mutation UploadVersion($file: Upload!, $previous: ID) {
  uploadTrack(file: $file, previousVersionId: $previous) {
    id name originalFilename sizeBytes format durationS sampleRateHz channels
    status progress errorCode errorMessage analysisJson createdAt version
  }
}`;

const FINDING_BRIEF = `fragment VersionFinding on Finding { id severity title timeRanges { startS endS } }`;

export const VERSION_COMPARISON = `query VersionComparison($id: ID!, $genre: String, $type: FeedbackType!) {
  track(id: $id) {
    id version
    versions { id version name }
    versionComparison(genre: $genre, type: $type) {
      previousTrackId previousVersion version
      figures { key label unit before after delta }
      resolved { ...VersionFinding }
      new { ...VersionFinding }
      still { before { ...VersionFinding } after { ...VersionFinding } }
      bandDeltasDb { band deltaDb }
      sections { index label startS endS loudnessDeltaLu sideToMidDeltaDb }
    }
  }
}${FINDING_BRIEF}`;

export const REPORT_MARKDOWN = `query ReportMarkdown($id: ID!) { session(id: $id) { id title reportMarkdown } }`;
export const REPORT_JSON = `query ReportJson($id: ID!) { session(id: $id) { id title reportJson } }`;
