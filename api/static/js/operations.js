// Every GraphQL document the page sends, in one place, written against docs/api-contract.graphql.

const TRACK = `
fragment TrackFields on Track {
  id name originalFilename sizeBytes format durationS sampleRateHz channels
  status progress errorCode errorMessage analysisJson createdAt
}`;

const FINDING = `
fragment FindingFields on Finding {
  id area severity title detail
  measured { key label value unit text }
  target { low high unit text }
  timeRanges { startS endS }
  moreSpans eventCount
  evidence
}`;

const MESSAGE = `
fragment MessageFields on Message {
  id sessionId role kind status content followupGroup feedbackType profile genre engine model
  errorCode error createdAt
  usage { promptTokens completionTokens latencyMs timeToFirstTokenMs }
  grounding { fullyGrounded traced { text } untraced { text } }
}`;

export const CREATE_CLIENT = `mutation CreateClient { createClient { clientId token } }`;

export const UPLOAD_TRACK = `mutation UploadTrack($file: Upload!, $name: String) {
  uploadTrack(file: $file, name: $name) { ...TrackFields }
}${TRACK}`;

export const TRACK_QUERY = `query Track($id: ID!) { track(id: $id) { ...TrackFields } }${TRACK}`;

export const TRACK_EVENTS = `subscription TrackEvents($trackId: ID!) {
  trackEvents(trackId: $trackId) {
    trackId status progress stage errorCode errorMessage
    track { ...TrackFields }
  }
}${TRACK}`;

export const FINDINGS = `query Findings($id: ID!, $genre: String, $type: FeedbackType!, $ref: ID) {
  track(id: $id) {
    id
    findings(genre: $genre, type: $type, referenceTrackId: $ref) {
      type
      genre { genre subgenre matched note }
      findings { ...FindingFields }
      targets { genre type bandLevelsDb { band lowHz highHz low high unit } }
      suggestedQuestions
      verdict { ready blockers { findingId reason } }
    }
  }
}${FINDING}`;

export const GENRES = `query Genres { genres { name label aliases subgenres } }`;

export const SESSIONS = `query Sessions($first: Int!, $after: String) {
  sessions(first: $first, after: $after) {
    edges { node { id title genre stage profile createdAt updatedAt track { id name status } referenceTrack { id name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const SESSION = `query Session($id: ID!) {
  session(id: $id) {
    id title genre stage profile createdAt suggestedQuestions
    track { ...TrackFields }
    referenceTrack { ...TrackFields }
    messages(first: 100) { edges { node { ...MessageFields } } pageInfo { hasNextPage endCursor } }
  }
}${TRACK}${MESSAGE}`;

/** The next pages of a session's messages (SESSION brings the first 100). */
export const SESSION_MESSAGES = `query SessionMessages($id: ID!, $first: Int!, $after: String) {
  session(id: $id) {
    id
    messages(first: $first, after: $after) { edges { node { ...MessageFields } } pageInfo { hasNextPage endCursor } }
  }
}${MESSAGE}`;

export const MESSAGE_QUERY = `query Message($id: ID!) { message(id: $id) { ...MessageFields } }${MESSAGE}`;

export const REQUEST_FEEDBACK = `mutation RequestFeedback($input: RequestFeedbackInput!) {
  requestFeedback(input: $input) { ...MessageFields }
}${MESSAGE}`;

export const ASK_FOLLOWUP = `mutation AskFollowup($input: AskFollowupInput!) {
  askFollowup(input: $input) { ...MessageFields }
}${MESSAGE}`;

export const RETRY_MESSAGE = `mutation RetryMessage($id: ID!) { retryMessage(id: $id) { ...MessageFields } }${MESSAGE}`;

export const MESSAGE_STREAM = `subscription MessageStream($messageId: ID!) {
  messageStream(messageId: $messageId) { messageId delta done message { ...MessageFields } }
}${MESSAGE}`;

/** Every upload (History lists those without a session as tracks). */
export const TRACKS = `query Tracks($first: Int!, $after: String) {
  tracks(first: $first, after: $after) {
    edges { node { id name status createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const RENAME_TRACK = `mutation RenameTrack($id: ID!, $name: String!) { renameTrack(id: $id, name: $name) { id name } }`;

export const DELETE_TRACK = `mutation DeleteTrack($id: ID!) { deleteTrack(id: $id) }`;

export const RENAME_SESSION = `mutation RenameSession($id: ID!, $title: String!) { renameSession(id: $id, title: $title) { id title } }`;

export const DELETE_SESSION = `mutation DeleteSession($id: ID!) { deleteSession(id: $id) }`;

/** Remember the genre, stage and profile chosen for a session (restored on reload and from History). */
export const SET_SESSION_CHOICES = `mutation SetSessionChoices($input: SessionChoicesInput!) {
  setSessionChoices(input: $input) { id genre stage profile }
}`;
