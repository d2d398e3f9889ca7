// Placeholder until the database setup lands.
export default function setup(): void {}
