import { xroadSettingsFrom } from './xroad-id';

describe('X-Road settings from the environment', () => {
  it('given nothing set, when read, then instance VN and member classes GOV and COM', () => {
    expect(xroadSettingsFrom({})).toEqual({ instance: 'VN', memberClasses: ['GOV', 'COM'] });
    expect(xroadSettingsFrom({ XROAD_INSTANCE: ' ', XROAD_MEMBER_CLASSES: '' })).toEqual({ instance: 'VN', memberClasses: ['GOV', 'COM'] });
  });

  it('given XROAD_INSTANCE and XROAD_MEMBER_CLASSES, when read, then they are taken as given', () => {
    expect(xroadSettingsFrom({ XROAD_INSTANCE: 'XROADVN', XROAD_MEMBER_CLASSES: 'GOV, COM,NGO' })).toEqual({ instance: 'XROADVN', memberClasses: ['GOV', 'COM', 'NGO'] });
  });
});
