// The page's auth module: copy web/src/auth/ into any frontend of this API.
export {
  adoptTokens,
  answerTotp,
  type AuthConfig,
  completeEmailLink,
  confirmTotp,
  getIdToken,
  handleRedirect,
  LinkRefused,
  readEmailLink,
  setUpTotp,
  signInWithEmailLink,
  signInWithGoogle,
  signOut,
  type SignInStep,
} from "./auth";
export { AuthProvider, type Session, useSession } from "./AuthProvider";
export { CognitoError } from "./cognito";
