declare module 'swagger-ui-dist/absolute-path.js' {
  /** The folder holding Swagger UI's built files (without loading the bundle itself). */
  export default function getAbsoluteFSPath(): string;
}
