export * from "./config";
export * from "./host";
export * from "./image";
export * from "./images-dir";
export * from "./labels";
export * from "./network";
export * from "./schema";
export * from "./service";
